"""write_report's folder: swapped in whole, no stale files, no symlink followed, Ctrl-C safe;
the chart formats asked for, each rendered once; the progress bar over the charts.

Documents are written to disk from sandbox frames and read back. The Ctrl-C here is
simulated: a chart function is replaced by one raising ``KeyboardInterrupt`` midway
through the charts, which is what Python raises at that point on a real Ctrl-C.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

import assetpay_analytics as apa
from assetpay_analytics import plots
from assetpay_analytics.report import write_report
from tests.report.test_report import RUST, pdf_pages, run_cli, table_pages

CS2_CHARTS = {"pricing_review", "payout_by_exterior", "payout_vs_market", "payout_distribution",
              "exterior_ladder_heatmap"}  # fmt: skip


@pytest.fixture(scope="module")
def frames(box):
    client = apa.AssetPayClient(api_key=box.api_key, base_url=box.url, cache=None)
    return {
        "cs2": client.inventories(box.trade_urls[:2], progress=False),
        "rust": client.inventories(box.trade_urls[:2], RUST, progress=False),
    }


def on_disk(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (relative path -> bytes); links are not followed."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.is_symlink()}  # fmt: skip


def listed(files) -> set[str]:
    paths = [files.html, files.workbook, *files.charts, *files.tables]
    if files.pdf is not None:
        paths.append(files.pdf)
    return {str(path.relative_to(files.html.parent)) for path in paths}


def test_a_reused_folder_holds_only_the_new_document(frames, tmp_path):
    out = tmp_path / "review"
    write_report(frames["cs2"], out)
    files = write_report(frames["rust"], out)
    assert set(on_disk(out)) == listed(files)  # the CS2 charts and tables are gone
    assert not (out / "charts" / "exterior_ladder_heatmap.png").exists()
    assert "by_exterior.csv" not in {path.name for path in (out / "tables").iterdir()}
    assert [path.name for path in tmp_path.iterdir()] == ["review"]  # nothing left beside


def test_ctrl_c_while_charts_render_keeps_the_previous_document(frames, tmp_path, monkeypatch):
    out = tmp_path / "review"
    write_report(frames["cs2"], out)
    before = on_disk(out)
    drawn = []

    def interrupted(df, ax=None):  # a simulated Ctrl-C, after some charts are written
        drawn.append(len(list(tmp_path.glob(".review.*.tmp/charts/*.png"))))
        plt.subplots()  # half drawn
        raise KeyboardInterrupt

    monkeypatch.setattr(plots, "payout_distribution", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_report(frames["cs2"], out)
    assert drawn and drawn[0] >= 2  # it stopped midway through the charts
    assert on_disk(out) == before  # byte for byte
    assert [path.name for path in tmp_path.iterdir()] == ["review"]  # the new folder removed
    assert plt.get_fignums() == []  # and no figure left open


def test_an_error_mid_write_keeps_the_previous_document(frames, tmp_path, monkeypatch):
    out = tmp_path / "review"
    write_report(frames["cs2"], out)
    before = on_disk(out)

    def failing(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("assetpay_analytics.report.document.write_workbook", failing)
    with pytest.raises(OSError, match="No space"):
        write_report(frames["rust"], out)
    assert on_disk(out) == before
    assert [path.name for path in tmp_path.iterdir()] == ["review"]


def test_symlinks_planted_in_the_folder_are_not_followed(frames, tmp_path):
    out, victim_file, victim_dir = tmp_path / "review", tmp_path / "victim.txt", tmp_path / "d"
    write_report(frames["cs2"], out)
    victim_file.write_text("keep me")
    victim_dir.mkdir()
    (victim_dir / "mine.txt").write_text("mine")
    (out / "report.html").unlink()
    (out / "report.html").symlink_to(victim_file)
    for path in sorted((out / "charts").iterdir()):
        path.unlink()
    (out / "charts").rmdir()
    (out / "charts").symlink_to(victim_dir, target_is_directory=True)
    files = write_report(frames["cs2"], out)
    assert victim_file.read_text() == "keep me"
    assert [path.name for path in victim_dir.iterdir()] == ["mine.txt"]
    assert (victim_dir / "mine.txt").read_text() == "mine"
    for path in (out, out / "charts", out / "tables"):
        assert path.is_dir() and not path.is_symlink()
    assert files.html.is_file() and not files.html.is_symlink()
    assert not any(path.is_symlink() for path in out.rglob("*"))
    assert set(on_disk(out)) == listed(files)
    assert "<img src='data:image/png;base64," in files.html.read_text(encoding="utf-8")


def test_out_as_a_symlink_to_a_folder_replaces_the_folder_it_points_to(frames, tmp_path):
    real, link = tmp_path / "2026-06-01", tmp_path / "latest"
    write_report(frames["cs2"], real)
    link.symlink_to(real, target_is_directory=True)
    files = write_report(frames["rust"], link)
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert files.html == real.resolve() / "report.html"
    assert set(on_disk(real)) == listed(files)
    assert "by_type.csv" in {path.name for path in (real / "tables").iterdir()}


def test_a_folder_of_other_files_is_not_replaced(frames, tmp_path):
    (tmp_path / "notes.txt").write_text("my notes")
    with pytest.raises(FileExistsError, match=r"notes\.txt"):
        write_report(frames["cs2"], tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]
    assert (tmp_path / "notes.txt").read_text() == "my notes"


def test_default_formats_are_png_and_the_pdf(frames, tmp_path):
    files = write_report(frames["cs2"], tmp_path / "review")
    assert {path.stem for path in files.charts} == CS2_CHARTS
    assert {path.suffix for path in files.charts} == {".png"}
    assert files.pdf == tmp_path / "review" / "charts" / "report.pdf"
    assert pdf_pages(files.pdf) == table_pages(files) + len(CS2_CHARTS)


def test_svg_only_still_embeds_the_pngs_in_the_page(frames, tmp_path):
    files = write_report(frames["cs2"], tmp_path / "review", formats=["SVG"])
    assert {path.suffix for path in files.charts} == {".svg"}
    assert files.pdf is None and not (tmp_path / "review" / "charts" / "report.pdf").exists()
    page = files.html.read_text(encoding="utf-8")
    assert page.count("<img src='data:image/png;base64,") == len(CS2_CHARTS)
    assert set(on_disk(tmp_path / "review")) == listed(files)


def test_an_unknown_format_is_refused_before_anything_is_written(frames, tmp_path):
    with pytest.raises(ValueError, match="unknown chart format 'jpg'"):
        write_report(frames["cs2"], tmp_path / "review", formats=("png", "jpg"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("formats", "each"), [(("png", "pdf"), ["png", "pdf"]),
                                               (("png", "svg", "pdf"), ["png", "svg", "pdf"]),
                                               (("svg",), ["png", "svg"])])  # fmt: skip
def test_each_chart_is_rendered_once_per_format(frames, tmp_path, monkeypatch, formats, each):
    renders: dict[Figure, list[str]] = {}  # keyed by the figure itself: no id reused
    savefig = Figure.savefig

    def counted(self, fname, *args, **kwargs):
        kind = kwargs.get("format") or Path(str(fname)).suffix[1:]
        renders.setdefault(self, []).append(str(kind))
        return savefig(self, fname, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", counted)
    files = write_report(frames["cs2"], tmp_path / "review", formats=formats)
    # the PDF's table pages are drawn for it alone; every chart renders its PNG for the page
    charts = {key: kinds for key, kinds in renders.items() if "png" in kinds}
    pages = [kinds for kinds in renders.values() if "png" not in kinds]
    assert len(charts) == len(CS2_CHARTS)
    assert all(kinds == each for kinds in charts.values()), renders
    assert pages == ([["pdf"]] * table_pages(files) if "pdf" in each else [])


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_progress_bar_counts_the_charts_on_a_terminal(frames, tmp_path, monkeypatch):
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    write_report(frames["cs2"], tmp_path / "review")
    assert re.search(rf"charts: 100%.*{len(CS2_CHARTS)}/{len(CS2_CHARTS)}", terminal.getvalue())


@pytest.mark.parametrize("how", ["not a terminal", "TQDM_DISABLE=1", "progress=False"])
def test_no_progress_bar(frames, tmp_path, monkeypatch, how):
    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    stream = io.StringIO() if how == "not a terminal" else Terminal()
    monkeypatch.setattr("sys.stderr", stream)
    if how == "TQDM_DISABLE=1":
        monkeypatch.setenv("TQDM_DISABLE", "1")
    write_report(frames["rust"], tmp_path / "review", progress=how != "progress=False")
    assert stream.getvalue() == ""


def test_formats_from_the_command_line(tmp_path):
    done = run_cli(["report", "--sandbox", "--game", "rust", "--out", str(tmp_path / "doc"),
                    "--formats", "svg,png"])  # fmt: skip
    assert done.returncode == 0, done.stderr
    charts = tmp_path / "doc" / "charts"
    assert {path.suffix for path in charts.iterdir()} == {".png", ".svg"}
    assert "(4 charts, 3 tables)" in done.stdout  # no PDF named


def test_an_unknown_format_on_the_command_line_is_a_usage_error(tmp_path):
    done = run_cli(["report", "--sandbox", "--out", str(tmp_path / "doc"), "--formats", "jpg"])
    assert done.returncode == 2 and "'jpg' is not a chart format" in done.stderr
    assert not (tmp_path / "doc").exists()
