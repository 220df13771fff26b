"""Leaderboard: submit, build and check, with the refusals and the all-or-nothing writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmark import load_gold
from benchmark.errors import IsnadError
from benchmark.leaderboard import SubmissionMeta, build, check, slugify, submit
from benchmark import predictions as predictions_mod
from benchmark.predictions import predictions_from_gold

DOC = "000_017b6ea0ad0b3e21"


def _jsonl(path: Path, docs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    return path


@pytest.fixture()
def files(tmp_path):
    gold = load_gold()
    perfect = _jsonl(tmp_path / "perfect.jsonl", predictions_from_gold(gold))
    half = predictions_from_gold(gold)
    half[0]["quotes"] = half[0]["quotes"][::2]
    half = _jsonl(tmp_path / "half.jsonl", half)
    null = _jsonl(tmp_path / "null.jsonl", [{"document_id": DOC, "entities": [], "quotes": []}])
    return {"perfect": perfect, "half": half, "null": null}


def meta(name: str, **kw) -> SubmissionMeta:
    return SubmissionMeta(name=name, date="2026-12-01", **kw)


def snapshot(root: Path) -> dict[str, bytes]:
    lb = root / "leaderboard"
    return {str(p.relative_to(lb)): p.read_bytes() for p in sorted(lb.rglob("*")) if p.is_file()} if lb.exists() else {}


@pytest.fixture()
def board_root(tmp_path, files):
    root = tmp_path / "repo"
    root.mkdir()
    submit(root, files["null"], meta("Null", baseline=True))
    submit(root, files["half"], meta("Half"))
    return root


def test_submit_writes_submission_and_generated_files(board_root):
    lb = board_root / "leaderboard"
    assert (lb / "submissions/null/submission.yaml").is_file()
    assert (lb / "submissions/half/predictions.jsonl").is_file()
    result = json.loads((lb / "results/half.json").read_text(encoding="utf-8"))
    assert set(result) >= {"signature", "entities", "quotes", "cues", "attribution", "grounding", "predictions_sha256"}
    assert 0 < result["quotes"]["overlap"]["recall"] < 1
    assert "ci" in result["attribution"]["end_to_end"]
    readme = (lb / "README.md").read_text(encoding="utf-8")
    assert readme.index("Half") < readme.index("Null")  # ranked by attribution F1
    assert check(board_root) == []


def test_build_is_deterministic_and_idempotent(board_root):
    before = snapshot(board_root)
    assert build(board_root) == []
    assert snapshot(board_root) == before
    for p in (board_root / "leaderboard/results").glob("*.json"):
        p.unlink()
    (board_root / "leaderboard/README.md").unlink()
    build(board_root)
    assert snapshot(board_root) == before


def test_existing_slug_is_refused_unless_replace(board_root, files):
    before = snapshot(board_root)
    with pytest.raises(IsnadError, match="exists"):
        submit(board_root, files["perfect"], meta("half"))
    assert snapshot(board_root) == before
    submit(board_root, files["perfect"], meta("Half"), replace=True)
    result = json.loads((board_root / "leaderboard/results/half.json").read_text(encoding="utf-8"))
    assert result["quotes"]["overlap"]["f1"] == 1.0


def test_invalid_predictions_change_nothing(board_root, tmp_path):
    before = snapshot(board_root)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"document_id": "%s", "entities": [{"start": 5, "end": 2, "label": "PER"}], "quotes": []}\n' % DOC,
                   encoding="utf-8")
    with pytest.raises(IsnadError) as err:
        submit(board_root, bad, meta("Bad"))
    assert str(bad) in str(err.value) and ":1:" in str(err.value)
    assert snapshot(board_root) == before
    assert not any(p.name.startswith(".leaderboard") for p in board_root.iterdir())


def test_oversized_file_is_refused(board_root, files, monkeypatch):
    monkeypatch.setattr(predictions_mod, "MAX_FILE_BYTES", 10)
    with pytest.raises(IsnadError, match="limit"):
        submit(board_root, files["perfect"], meta("Big"))


@pytest.mark.parametrize("name", ["../../x", "/etc/passwd", "a/b", "x/../y"])
def test_paths_cannot_escape(board_root, files, name):
    slug = slugify(name)
    assert "/" not in slug and "." not in slug
    submit(board_root, files["null"], meta(name), replace=True)
    assert (board_root / "leaderboard/submissions" / slug).is_dir()
    assert not (board_root / "x").exists() and not (board_root.parent / "x").exists()


@pytest.mark.parametrize("name", ["!!!", "تجربة", "   ", "..", "../"])
def test_a_name_without_slug_characters_is_refused(name):
    with pytest.raises(IsnadError):
        slugify(name)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "ftp://x.org", "https://x.org/\"onmouseover"])
def test_only_http_urls(url):
    with pytest.raises(ValueError):
        meta("X", url=url)


def test_invisible_characters_are_refused():
    with pytest.raises(ValueError, match="invisible"):
        meta("x\u202e/..")


def test_submitted_text_is_escaped_everywhere(board_root, files):
    evil = "<script>alert(1)</script>"
    submit(board_root, files["perfect"], meta(f"Evil {evil} | *x*", description=f"desc {evil}"))
    page = (board_root / "leaderboard/index.html").read_text(encoding="utf-8")
    readme = (board_root / "leaderboard/README.md").read_text(encoding="utf-8")
    assert evil not in page and "alert(1)</script>" not in page
    assert "&lt;script&gt;" in page
    assert evil not in readme and "&lt;script&gt;" in readme
    assert "Evil &lt;script&gt;alert\\(1\\)&lt;/script&gt; \\| \\*x\\*" in readme  # the pipe cannot break the table
    assert "desc &lt;script&gt;" in page


def test_check_names_an_edited_score(board_root):
    path = board_root / "leaderboard/results/half.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["attribution"]["end_to_end"]["f1"] = 0.99
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    problems = check(board_root)
    assert any("leaderboard/results/half.json" in p for p in problems)
    build(board_root)  # an edited score is never kept by a rebuild either
    assert check(board_root) == []


def test_check_names_missing_and_stale_entries(board_root):
    (board_root / "leaderboard/results/null.json").unlink()
    (board_root / "leaderboard/results/ghost.json").write_text("{}", encoding="utf-8")
    problems = check(board_root)
    assert any("results/null.json: missing" in p for p in problems)
    assert any("results/ghost.json" in p and "stale" in p for p in problems)


def test_rebuild_rescores_only_what_changed(board_root, files, monkeypatch):
    import benchmark.scoring as scoring

    boots = []
    real = scoring.build_report

    def spy(scored, bootstrap, seed):
        boots.append(bootstrap)
        return real(scored, bootstrap, seed)

    monkeypatch.setattr(scoring, "build_report", spy)
    submit(board_root, files["perfect"], meta("Half"), replace=True)
    assert sorted(boots) == [0, 1000]  # null: checked without bootstrap; half: rescored with it


def test_yaml_tags_in_submission_file_are_refused(board_root):
    path = board_root / "leaderboard/submissions/null/submission.yaml"
    path.write_text("name: !!python/object/apply:os.system ['echo pwned']\ndate: 2026-12-01\n", encoding="utf-8")
    with pytest.raises(IsnadError, match="invalid YAML"):
        build(board_root)


def test_unknown_field_in_submission_file_is_refused(board_root):
    path = board_root / "leaderboard/submissions/null/submission.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "score: 1.0\n", encoding="utf-8")
    with pytest.raises(IsnadError) as err:
        build(board_root)
    assert "score" in str(err.value) and str(path) in str(err.value)


def test_the_project_readme_table_is_generated_and_checked(board_root):
    readme = board_root / "README.md"
    readme.write_text("# x\n\n<!-- generated:leaderboard -->\n<!-- /generated:leaderboard -->\nafter\n", encoding="utf-8")
    assert "README.md" in build(board_root)
    text = readme.read_text(encoding="utf-8")
    # the project's front page lists the baselines only (a submission leaves it as it is),
    # in the leaderboard's order, without ranks that would refer to entries not shown
    assert "| Null (baseline) |" in text and "Half" not in text and "| Rank |" not in text
    assert text.endswith("<!-- /generated:leaderboard -->\nafter\n")
    assert check(board_root) == []
    readme.write_text(text.replace("| Null (baseline) |", "| Null (baseline, best!) |"), encoding="utf-8")
    assert any(p.startswith("README.md") for p in check(board_root))
    readme.write_text(text, encoding="utf-8")
    submit(board_root, board_root / "leaderboard/submissions/half/predictions.jsonl", meta("Another"))
    assert readme.read_text(encoding="utf-8") == text


def test_a_device_or_pipe_is_refused_before_reading(board_root):
    before = snapshot(board_root)
    with pytest.raises(IsnadError, match="not a regular file"):
        submit(board_root, Path("/dev/zero"), meta("Zero"))
    assert snapshot(board_root) == before
