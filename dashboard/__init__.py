"""Peninsula Watch's Streamlit side: artifact loading, filters <-> URL, per-view queries and figures.

Conventions (see also app.py): a page `pages/<view>.py` holds widgets and layout only; its logic
lives in `dashboard/<view>.py` as pure functions (DataFrame in -> DataFrame out, table -> go.Figure)
tested without Streamlit. Shared pure helpers: `queries` and `figures`; shared Streamlit helpers for
pages (the page context, charts with selection, CSV downloads): `common`.
"""
