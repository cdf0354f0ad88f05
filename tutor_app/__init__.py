"""Open tutor: a grounded, bilingual personal tutor for course material.

The package holds the core engine (ingestion, retrieval, grounded answers)
and the command line; the Streamlit pages sit on top of it.
"""

__version__ = "0.1.0"
