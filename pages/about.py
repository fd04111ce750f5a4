"""About the measures: what each number means, how it is computed, where it fails."""
import streamlit as st

from dashboard.about import measure_sections
from dashboard.common import route_through_app

route_through_app()
st.title("About the measures")
st.caption("Every figure in this dashboard comes from the pipeline in `pipeline/`; these notes are kept beside its code.")
sections = measure_sections()
tabs = st.tabs([markdown.splitlines()[0].lstrip("# ").strip() or name for name, markdown in sections])
for tab, (_, markdown) in zip(tabs, sections):
    with tab:
        st.markdown(markdown)
