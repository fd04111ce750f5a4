"""Your corpus: upload editorials (or paste one), run the pipeline, and switch the dashboard to them."""
import os
import shutil
import time

import pandas as pd
import streamlit as st

from dashboard.common import download_csv, route_through_app
from dashboard.safe_text import escape_markdown
from dashboard.corpus import own_build_dir, session_upload_folder, show_own_corpus
from dashboard.uploads import (
    CORPUS_EXTENSIONS,
    UploadLimits,
    UploadRejected,
    overall_progress,
    purge_expired,
    stage_uploads,
    upload_root,
    upload_ttl_hours,
    zip_folder,
)
from pipeline.build import BuildError, BuildOptions, build
from pipeline.store import REJECTS, read_jsonl, read_manifest

route_through_app()
LIMITS = UploadLimits()
DONE_KEY = "pw_upload_done"
TTL_HOURS = upload_ttl_hours(dict(os.environ))
purge_expired(upload_root(dict(os.environ)), TTL_HOURS)

st.title("Your corpus")
st.markdown(
    f"Upload your own articles and the whole dashboard switches to them. Accepted: "
    f"{', '.join(f'`{ext}`' for ext in CORPUS_EXTENSIONS)} or one `.zip` of them; a `.txt` is one article copied "
    f"from a web page (outlet, title, date line, body). Limits: {LIMITS.max_file_mb} MB per file, "
    f"{LIMITS.max_total_mb} MB in all, {LIMITS.max_unzipped_mb} MB unzipped, {LIMITS.max_articles:,} articles. "
    f"Your files and their analysis are visible only in this browser session and deleted after "
    f"{TTL_HOURS:g} hours. Large corpora build faster offline: `python -m pipeline build --input ... --out DIR`, "
    f"then `streamlit run app.py -- --data DIR`."
)

if done := st.session_state.pop(DONE_KEY, None):
    st.success(done, icon=":material/check_circle:")

with st.form("upload"):
    uploads = st.file_uploader("Files", accept_multiple_files=True, type=[ext.rsplit(".", 1)[-1] for ext in CORPUS_EXTENSIONS] + ["gz", "zip"])
    pasted = st.text_area("Or paste one article", height=180, placeholder="Outlet\nTitle\nPublished : April 28, 2019\n\nBody ...")
    submitted = st.form_submit_button("Analyse", type="primary")

if submitted:
    folder = session_upload_folder()
    inputs = folder / f"inputs-{time.time_ns()}"
    try:
        staged = stage_uploads([(f.name, f.getvalue()) for f in uploads or []], pasted or "", inputs, LIMITS)
    except UploadRejected as error:
        st.error(f"Upload refused: {escape_markdown(str(error))}", icon=":material/block:")
        st.stop()
    bar = st.progress(0.0, text="Starting")
    try:
        build([inputs], own_build_dir(), BuildOptions(), progress=lambda stage, fraction: bar.progress(*overall_progress(stage, fraction)),
              max_articles=LIMITS.max_articles)
    except BuildError as error:
        st.error(f"Nothing could be analysed: {escape_markdown(str(error))}", icon=":material/error:")
        st.stop()
    finally:
        # The build keeps what it needs; the raw uploads are not kept on the server.
        shutil.rmtree(inputs, ignore_errors=True)
    show_own_corpus()
    # Rerun so the sidebar (drawn before this page) offers the new corpus at once.
    st.session_state[DONE_KEY] = f"Analysed {len(staged)} file(s). The sidebar now shows **Your corpus**; every page uses it."
    st.rerun()

build_dir = own_build_dir()
if (build_dir / "manifest.json").exists():
    manifest = read_manifest(build_dir)
    st.subheader("Last build")
    columns = st.columns(4)
    for column, (label, key) in zip(columns, [("Read", "read"), ("Ingested", "ingested"), ("Duplicates", "duplicates"), ("Rejected", "rejected")]):
        column.metric(label, f"{manifest[key]:,}")
    rejects = pd.DataFrame(read_jsonl(build_dir, REJECTS), columns=["input", "reason"])
    if rejects.empty:
        st.caption("No record was rejected.")
    else:
        st.dataframe(rejects, hide_index=True, width="stretch")
        download_csv(rejects, "rejects", key="download-rejects")
    st.download_button("Download the analysis (zip of Parquet artifacts)", zip_folder(build_dir), file_name="peninsula-watch-build.zip",
                       mime="application/zip", key="download-build")
