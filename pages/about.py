"""About the measures: what the app measures first, then each measure's note; `?measure=tone` opens that tab."""
import streamlit as st

from dashboard.about import MEASURE_PARAM, chosen_section, freshness, measure_sections, section_title
from dashboard.common import optional_page_context, show_notices

context = optional_page_context()
st.title("About the measures")
if context is not None:
    st.caption(freshness(context.artifacts.manifest))
sections = measure_sections()
titles = {name: section_title(name, markdown) for name, markdown in sections}
chosen, notice = chosen_section(st.query_params.get(MEASURE_PARAM), list(titles))
show_notices([notice] if notice else [])
tabs = st.tabs(list(titles.values()), default=titles[chosen] if chosen else None)
for tab, (_, markdown) in zip(tabs, sections):
    with tab:
        st.markdown(markdown)
st.caption("Every figure in this dashboard comes from the pipeline in `pipeline/`; these notes are kept beside its code.")
