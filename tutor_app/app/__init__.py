"""The Streamlit app: entry point, glue between Streamlit and the features, and the pages."""
