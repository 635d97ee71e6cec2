"""Pages for learning, thin: parse, call one service or selector, render.

- ``learner``: the catalogue, provider choice, course pages, the player and the quiz.
- ``manage``: providers' course management and study flags.
- ``programmes``: premium courses, quality online public courses, the digital engineer programme.
- ``notices``: notices and their attachments.
"""
