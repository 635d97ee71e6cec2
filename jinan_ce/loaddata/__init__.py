"""The load data set for benchmarks and the surge test (``manage.py generate_load_data``)."""
