"""The user's files (``--file``, ``--labels``): encodings, malformed lines, masked labels."""

from __future__ import annotations

import codecs

import pytest

import assetpay_analytics as apa
from assetpay_analytics.cli.main import _parser, main

#: How editors and spreadsheets save text: the byte-order mark (if any) and the codec.
ENCODINGS = {
    "utf-8": (b"", "utf-8"),
    "utf-8 with a BOM": (codecs.BOM_UTF8, "utf-8"),
    "utf-16 LE": (codecs.BOM_UTF16_LE, "utf-16-le"),
    "utf-16 BE": (codecs.BOM_UTF16_BE, "utf-16-be"),
}
#: A token no sandbox account has; 8 characters, as a real one.
SECRET = "Zq7Wx3Pk"
URL_IN_LABEL = f"https://steamcommunity.com/tradeoffer/new/?partner=99&token={SECRET}"


def save(path, text, encoding):
    bom, codec = ENCODINGS[encoding]
    path.write_bytes(bom + text.encode(codec))
    return str(path)


def steam_id(url):
    return apa.TradeUrl.parse(url).steam_id


def one_error_line(err):
    lines = err.splitlines()
    return len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err


def usage_error(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    out, err = capsys.readouterr()
    assert out == "" and one_error_line(err), err
    return err


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_url_file_in_any_usual_encoding_keeps_its_first_url(box, tmp_path, encoding):
    urls = box.trade_urls[:3]
    path = save(tmp_path / "urls.txt", "\r\n".join(urls) + "\r\n", encoding)
    assert _parser().parse_args(["report", "--file", path]).file == urls


def test_a_bom_url_file_reports_every_account(box, tmp_path, capsys):
    urls = box.trade_urls[:2]
    path = save(tmp_path / "urls.txt", "\n".join(urls), "utf-8 with a BOM")
    assert main(["report", "--sandbox", "--no-progress", "--file", path]) == 0
    out = capsys.readouterr().out
    assert f"{len(urls)} account(s)" in out
    assert steam_id(urls[0]) in out.split("By account")[1]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("header", ["", "steam_id,label\n"])
def test_a_labels_file_in_any_usual_encoding_keeps_its_first_label(box, tmp_path, encoding,
                                                                   header):  # fmt: skip
    first, second = (steam_id(url) for url in box.trade_urls[:2])
    text = f'{header}{first},Team Alpha\n{second},"Beta, the second"\n'
    path = save(tmp_path / "labels.csv", text, encoding)
    labels = _parser().parse_args(["report", "--labels", path]).labels
    assert labels == {first: "Team Alpha", second: "Beta, the second"}


def test_the_first_label_of_a_bom_file_is_shown(box, tmp_path, capsys):
    first = steam_id(box.trade_urls[0])
    path = save(tmp_path / "labels.csv", f"{first},Team Alpha\n", "utf-8 with a BOM")
    argv = ["report", "--sandbox", "--no-progress", "--labels", path, box.trade_urls[0]]
    assert main(argv) == 0
    assert f"Team Alpha ({first})" in capsys.readouterr().out


@pytest.mark.parametrize("option", ["--file", "--labels"])
def test_a_latin1_file_is_a_clear_error(box, tmp_path, capsys, option):
    first = steam_id(box.trade_urls[0])
    text = f"{first},Café\n" if option == "--labels" else f"# café\n{box.trade_urls[0]}\n"
    path = tmp_path / "in.txt"
    path.write_bytes(text.encode("latin-1"))
    err = usage_error(capsys, ["report", "--sandbox", option, str(path)])
    assert f"argument {option}" in err and str(path) in err
    assert "not UTF-8" in err and "save it as UTF-8" in err


def test_utf16_without_a_byte_order_mark_is_a_clear_error(box, tmp_path, capsys):
    path = tmp_path / "urls.txt"
    path.write_bytes(box.trade_urls[0].encode("utf-16-le"))
    err = usage_error(capsys, ["report", "--sandbox", "--file", str(path)])
    assert str(path) in err and "save it as UTF-8" in err


def test_a_missing_file_is_a_usage_error(tmp_path, capsys):
    err = usage_error(capsys, ["report", "--sandbox", "--labels", str(tmp_path / "none.csv")])
    assert "cannot read" in err and "none.csv" in err


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("{id}", "no label"),
        ("{id},", "no label"),
        ("{id},alice,admin", "3 fields"),
        ("7656119800000000,alice", "not a SteamID64"),
        ("7656119800000000x,alice", "not a SteamID64"),
        ('{id},"unclosed', "unexpected end of data"),
        ('{id},"ali"ce', "expected after"),
        ("{id},someone else", "already has a label on line 2"),
    ],
)  # fmt: skip
def test_a_malformed_label_line_is_an_error_naming_it(box, tmp_path, capsys, line, says):
    first = steam_id(box.trade_urls[0])
    text = f"steam_id,label\n{first},alice\n\n# a comment\n{line.format(id=first)}\n"
    path = save(tmp_path / "labels.csv", text, "utf-8")
    err = usage_error(capsys, ["report", "--sandbox", "--labels", path])
    assert f"{path} line 5: " in err
    assert says in err


def test_labels_are_never_dropped_silently(box, tmp_path, capsys):
    first = steam_id(box.trade_urls[0])
    path = save(tmp_path / "labels.csv", "steam_id,label\n", "utf-8")
    assert "holds no steam_id,label row" in usage_error(capsys, ["report", "--labels", path])
    path = save(tmp_path / "labels.csv", f"{first},alice\nnot-an-id,bob\n", "utf-8")
    assert "line 2" in usage_error(capsys, ["report", "--labels", path])
    path = save(tmp_path / "labels.csv", f"alice,{first}\n", "utf-8")  # columns swapped
    assert "line 1: 'alice' is not a SteamID64" in usage_error(capsys, ["report", "--labels", path])


def test_a_label_holding_a_trade_url_never_shows_its_token(box, tmp_path, capsys):
    first, second = (steam_id(url) for url in box.trade_urls[:2])
    text = f'{first},"Desk A {URL_IN_LABEL}"\n{second},token={SECRET}\n'
    labels = save(tmp_path / "labels.csv", text, "utf-8 with a BOM")
    doc, chart = tmp_path / "doc", tmp_path / "review.png"
    argv = ["report", "--sandbox", "--no-progress", "--labels", labels, "--out", str(doc),
            "--chart", str(chart), "--prices", *box.trade_urls[:2]]  # fmt: skip
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert SECRET not in out + err
    assert "Desk A https://steamcommunity.com/tradeoffer/new/?partner=99&token=" in out
    written = [path for path in tmp_path.rglob("*") if path.is_file() and path.name != "labels.csv"]
    assert any(path.suffix == ".html" for path in written) and chart in written
    for path in written:
        data = path.read_bytes()
        assert SECRET.encode() not in data and SECRET.encode("utf-16-le") not in data, path
    page = (doc / "report.html").read_text(encoding="utf-8")
    assert f"({first})" in page and "Desk A" in page  # the label is there, masked
