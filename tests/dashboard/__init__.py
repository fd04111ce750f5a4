"""Tests of the Streamlit app: pure query/figure functions and AppTest runs on a synthetic build."""
