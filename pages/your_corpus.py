"""Your corpus: upload editorials (or paste one), run the pipeline, and switch the dashboard to them."""
import time

import pandas as pd
import streamlit as st

from dashboard.build_queue import shared_queue
from dashboard.common import download_csv, route_through_app
from dashboard.config import max_builds, server_upload_cap_mb, upload_root, upload_ttl_hours
from dashboard.corpus import attached_bytes_on_server, own_build_dir, release_uploads, session_upload_folder, show_own_corpus, uploader_key
from dashboard.safe_text import escape_markdown
from dashboard.uploads import (
    CORPUS_EXTENSIONS,
    Refusal,
    UploadLimits,
    UploadRejected,
    attachment_problem,
    build_problem,
    build_staged,
    create_session_folder,
    display_input,
    overall_progress,
    purge_expired,
    stage_uploads,
    zip_folder,
)
from pipeline.build import BuildError
from pipeline.store import REJECTS, read_jsonl, read_manifest

route_through_app()
LIMITS = UploadLimits()
DONE_KEY, REFUSED_KEY, PROBLEM_KEY, FAILED_REJECTS_KEY = "pw_upload_done", "pw_upload_refused", "pw_upload_problem", "pw_failed_rejects"
TTL, SERVER_CAP, MAX_BUILDS = upload_ttl_hours(), server_upload_cap_mb(), max_builds()
for setting in (TTL, SERVER_CAP, MAX_BUILDS):
    if setting.warning:
        st.warning(f"Server setting ignored: {escape_markdown(setting.warning)}", icon=":material/settings:")
purge_expired(upload_root(), TTL.value)


def show_refusals(refused: list[Refusal]) -> None:
    """Every file that was not used, with the reason (a table: names are shown literally)."""
    st.warning(f"{len(refused)} file(s) were not used:", icon=":material/block:")
    st.dataframe(pd.DataFrame([(r.name, r.reason) for r in refused], columns=["File", "Reason"]), hide_index=True, width="stretch")


def show_rejects(records: list[dict[str, str]], key: str) -> None:
    """Rejected records with the user's file name (and line or row) and the reason, downloadable as CSV."""
    rejects = pd.DataFrame(records, columns=["input", "reason"])
    rejects["input"] = rejects["input"].map(display_input)
    st.caption("Rejected records, with the file (and line or row) and the reason:")
    st.dataframe(rejects.rename(columns={"input": "File", "reason": "Reason"}), hide_index=True, width="stretch")
    download_csv(rejects, "rejects", key=key)


st.title("Your corpus")
st.markdown(
    f"Upload your own articles and the whole dashboard switches to them. Accepted: "
    f"{', '.join(f'`{ext}`' for ext in CORPUS_EXTENSIONS)} or `.zip` files of them (no zip inside a zip, no "
    f"password, standard compression); a `.txt` is one article copied from a web page (outlet, title, date line, "
    f"body). Limits: {LIMITS.max_file_mb} MB per file (as the upload box says), {LIMITS.max_total_mb} MB for all the files "
    f"together, {LIMITS.max_unzipped_mb} MB "
    f"unzipped (and per `.gz` file unpacked), {LIMITS.max_articles:,} articles. {MAX_BUILDS.value} analysis at a time runs on this server; others "
    f"wait in line. Your files and their analysis are visible only in this browser session; the files are deleted "
    f"once analysed, the analysis after {TTL.value:g} hours. Large corpora build faster offline: "
    f"`python -m pipeline build --input ... --out DIR`, then `streamlit run app.py -- --data DIR`."
)

if done := st.session_state.pop(DONE_KEY, None):
    st.success(done, icon=":material/check_circle:")
if problem := st.session_state.pop(PROBLEM_KEY, None):
    st.error(problem, icon=":material/block:")
if failed_rejects := st.session_state.pop(FAILED_REJECTS_KEY, None):
    show_rejects(failed_rejects, key="download-failed-rejects")
if refused := st.session_state.pop(REFUSED_KEY, None):
    show_refusals(refused)

uploads = st.file_uploader(
    "Files", accept_multiple_files=True, type=[ext.rsplit(".", 1)[-1] for ext in CORPUS_EXTENSIONS] + ["gz", "zip"],
    key=uploader_key(), max_upload_size=LIMITS.max_file_mb,
) or []
if problem := attachment_problem([(f.name, f.size) for f in uploads], attached_bytes_on_server(), SERVER_CAP.value, LIMITS):
    # Attached files sit in server memory until "Analyse": over a cap, they are dropped at once.
    release_uploads(uploads)
    st.session_state[PROBLEM_KEY] = f"Files not kept: {escape_markdown(problem)}"
    st.rerun()
pasted = st.text_area("Or paste one article", height=180, placeholder="Outlet\nTitle\nPublished : April 28, 2019\n\nBody ...")

if st.button("Analyse", type="primary"):
    inputs = create_session_folder(session_upload_folder()) / f"inputs-{time.time_ns()}"
    try:
        staged = stage_uploads([(f.name, f.getvalue()) for f in uploads], pasted or "", inputs, LIMITS)
    except UploadRejected as error:
        st.session_state[PROBLEM_KEY] = f"Upload refused: {escape_markdown(str(error))}"
        st.session_state[REFUSED_KEY] = list(error.refused)
        st.rerun()
    finally:
        release_uploads(uploads)  # staged to disk or refused: Streamlit's in-memory copies are freed either way
    if staged.refused:
        show_refusals(staged.refused)
    st.session_state[REFUSED_KEY] = staged.refused  # shown again after the rerun below, whatever the outcome
    waiting = st.empty()
    bar = st.progress(0.0, text="Starting")

    def show_position(position: int) -> None:
        """Called about every second while waiting; Streamlit raises in here when the user leaves, freeing the place."""
        waiting.info(f"Other analyses are running; yours is number {position} in line and starts automatically.",
                     icon=":material/hourglass_top:")

    def show_progress(stage: str, fraction: float) -> None:
        waiting.empty()
        bar.progress(*overall_progress(stage, fraction))

    try:
        build_staged(inputs, own_build_dir(), shared_queue(int(MAX_BUILDS.value)), show_position, show_progress, LIMITS)
    except BuildError as error:
        st.session_state[PROBLEM_KEY] = escape_markdown(build_problem(error))
        st.session_state[FAILED_REJECTS_KEY] = error.rejects
    else:
        show_own_corpus()
        st.session_state[DONE_KEY] = f"Analysed {len(staged.files)} file(s). The sidebar now shows **Your corpus**; every page uses it."
    # Rerun so the sidebar (drawn before this page) offers the new corpus at once, and the uploader is empty.
    st.rerun()

build_dir = own_build_dir()
if (build_dir / "manifest.json").exists():
    manifest = read_manifest(build_dir)
    st.subheader("Last build")
    columns = st.columns(4)
    for column, (label, key) in zip(columns, [("Read", "read"), ("Ingested", "ingested"), ("Duplicates", "duplicates"), ("Rejected", "rejected")]):
        column.metric(label, f"{manifest[key]:,}")
    if rejects := read_jsonl(build_dir, REJECTS):
        show_rejects(rejects, key="download-rejects")
    else:
        st.caption("No record was rejected.")
    st.download_button("Download the analysis (zip of Parquet artifacts)", zip_folder(build_dir), file_name="peninsula-watch-build.zip",
                       mime="application/zip", key="download-build")
