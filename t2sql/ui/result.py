"""A result: notes, a paginated table, a chart picked from its shape, downloads."""

from __future__ import annotations

import streamlit as st

from t2sql.present import charts, export
from t2sql.present.notices import result_notes

PAGE_ROWS = 100  # rows per page of the result table


def render(approved, result, asked: str, labels: dict, max_rows: int) -> None:
    st.caption(" · ".join(result_notes(approved, result, max_rows)))
    if result.masked:
        st.info(f"개인정보 열({', '.join(result.masked)})은 가려서 표시했습니다.")
    if result.rows:
        frame = result.to_frame()
        titles = charts.axis_titles(frame.columns, approved.tables, labels)
        table_tab, chart_tab = st.tabs(["표", "차트"])
        with table_tab:
            _table(frame)
        with chart_tab:
            _chart(frame, titles)
        d1, d2, _ = st.columns([1, 1, 4])
        d1.download_button(
            "CSV 내려받기",
            export.to_csv(frame),
            export.file_name(asked, "csv"),
            "text/csv",
            key="download_csv",
            width="stretch",
        )
        d2.download_button(
            "Excel 내려받기",
            export.to_xlsx(frame),
            export.file_name(asked, "xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key="download_xlsx",
            width="stretch",
        )
    else:
        st.info("조건에 맞는 데이터가 없습니다 (결과 0행). 조건(기간, 값의 철자)을 넓히거나 바꿔 보세요.")
    with st.expander("실행한 SQL"):
        st.code(approved.sql, language="sql")


def _table(frame) -> None:
    pages = (len(frame) - 1) // PAGE_ROWS + 1
    page = 1
    if pages > 1:
        page = st.number_input(f"페이지 (전체 {pages}쪽, 쪽당 {PAGE_ROWS}행)", 1, pages, key="page")
    start = (page - 1) * PAGE_ROWS
    st.dataframe(frame.iloc[start : start + PAGE_ROWS], width="stretch", hide_index=True)


def _chart(frame, titles: dict[str, str]) -> None:
    suggestion = charts.suggest(frame)
    opts = charts.options(frame)
    if not opts["y"]:
        st.caption("숫자 열이 없어 차트를 그릴 수 없습니다. 표를 확인하세요.")
        return
    kinds = list(charts.KINDS)
    c1, c2, c3, c4 = st.columns(4)
    kind = c1.selectbox(
        "차트 종류",
        kinds,
        index=kinds.index(suggestion.kind if suggestion else "bar"),
        format_func=charts.KINDS.__getitem__,
        key="chart_kind",
    )
    y_default = suggestion.y if suggestion and suggestion.y in opts["y"] else opts["y"][0]
    y = c3.selectbox("값(세로축)", opts["y"], index=opts["y"].index(y_default), key="chart_y")
    if kind == "metric":
        st.metric(titles.get(y, y), charts.metric_text(frame[y]))
        return
    x_default = suggestion.x if suggestion and suggestion.x in opts["x"] else opts["x"][0]
    x = c2.selectbox("가로축", opts["x"], index=opts["x"].index(x_default), key="chart_x")
    colors = ["", *opts["color"]]
    color_default = colors.index(suggestion.color) if suggestion and suggestion.color in colors else 0
    color = c4.selectbox("색 구분", colors, index=color_default, format_func=lambda c: c or "없음", key="chart_color")
    try:
        st.altair_chart(charts.build(frame, charts.ChartSpec(kind, x, y, color), titles), width="stretch")
    except Exception as exc:  # an odd column combination must not take the page down
        st.warning(f"이 조합으로는 차트를 그릴 수 없습니다: {exc}")
