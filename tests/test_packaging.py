"""Packaging: the folders crawler/, nlp/ and data/ install as newsmon.crawler, newsmon.nlp and
newsmon.data, and an installed (non-editable) newsmon writes its database in the working
directory, never inside site-packages.

The wheel test builds the real wheel, installs it with `--no-deps` into a fresh virtualenv
outside the checkout, and runs `newsmon demo` there.  The fresh virtualenv sees the test
environment's dependencies (Scrapy, spaCy, DuckDB, ...) through a plain path entry, which does
not run that environment's .pth files, so the editable install of this checkout stays invisible.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOP_FOLDERS = ("crawler", "nlp", "data")


def test_every_package_folder_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    on_disk = {
        "newsmon." + ".".join(init.parent.relative_to(ROOT).parts)
        for top in TOP_FOLDERS for init in (ROOT / top).rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert on_disk - listed == set(), "package folders missing from [tool.setuptools] packages"
    assert listed - on_disk == set(), "packages listed that have no folder"
    assert config["package-dir"] == {f"newsmon.{t}": t for t in TOP_FOLDERS}


@pytest.mark.slow
def test_wheel_installs_only_newsmon_and_the_demo_runs_outside_the_checkout(tmp_path):
    wheel_dir = tmp_path / "wheel"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(wheel_dir), str(ROOT)],
        capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = wheel_dir.glob("newsmon-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert tops == {"newsmon"}, tops
    for resource in ("newsmon/data/migrations/001_initial.sql", "newsmon/nlp/topics/platform_regulation.toml",
                     "newsmon/crawler/demo/site.toml", "newsmon/data/digest/templates/digest.html.j2"):
        assert resource in names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    vpython = venv / "bin" / "python"
    site = Path(subprocess.run([str(vpython), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # the dependencies of the test environment, as a path entry (its .pth files do not run)
    (site / "_test_deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(vpython), "install", "--no-deps", "-q", str(wheel)],
        capture_output=True, text=True, timeout=300)
    assert install.returncode == 0, install.stderr[-2000:]

    work = tmp_path / "work"
    work.mkdir()
    probe = subprocess.run(
        [str(vpython), "-c", "import newsmon.crawler.cli as c, importlib.util as u; print(c.__file__); "
         "print([m for m in ('crawler', 'nlp', 'data') if u.find_spec(m)])"],
        cwd=work, capture_output=True, text=True, timeout=120)
    assert probe.returncode == 0, probe.stderr
    installed_file, generic = probe.stdout.splitlines()
    assert installed_file.startswith(str(site)), installed_file
    assert generic == "[]"

    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "NEWSMON_WORKERS": "1"}
    demo = subprocess.run([str(venv / "bin" / "newsmon"), "-q", "demo", "--workers", "1"],
                          cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert demo.returncode == 0, demo.stdout[-2000:] + demo.stderr[-2000:]
    assert (work / "data" / "newsmon.duckdb").is_file()
    assert not list(site.rglob("*.duckdb")), "a database was written inside site-packages"
    count = subprocess.run([str(venv / "bin" / "newsmon"), "sql", "--format", "csv",
                            "select count(*) as n from articles"],
                           cwd=work, env=env, capture_output=True, text=True, timeout=120)
    assert count.returncode == 0, count.stderr
    assert int(count.stdout.split()[-1]) > 20
