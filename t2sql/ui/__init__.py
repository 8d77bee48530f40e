"""The Streamlit pages. They render only: every rule lives in the pipeline and ``present``."""
