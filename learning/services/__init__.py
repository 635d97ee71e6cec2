"""Every write a user can cause in learning, one function per use case, each in one transaction with
its audit record:

- ``catalogue``: providers' courses, lessons and quiz questions; publishing.
- ``study``: the provider choice, enrolment, study sessions and heartbeats, the quiz, completion.
- ``premium``: premium professional courses (精品专业课): declaration, review, enrolment, attendance.
- ``quality``: quality online public courses (优质在线公需课): declaration and selection result.
- ``digital``: Digital Technology Engineer (数字技术工程师) cohorts, applications and results.
- ``notices``: notices (通知公告) and their attachments.
"""
