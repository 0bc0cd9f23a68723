"""``-o`` and ``--errors``: never destroy, never leave a half file, every fault a clear error.

Each target kind is made in a temporary folder (a character device by
``mknod`` where the tests run as root), so the real ``/dev/null`` is never touched.
"""

from __future__ import annotations

import os
import resource
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SAMPLES

SEED = SAMPLES / "palmira.txt"
WARNING = b"000000001 245__ $$aT\n000000001 260__ oops\n"


def marcconv(
    *args: str, preexec_fn: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "marcconv", *args],
        capture_output=True,
        check=False,
        timeout=120,
        preexec_fn=preexec_fn,
    )


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".marcconv-")]


def big_input(folder: Path, records: int = 20_000) -> Path:
    text = SEED.read_text(encoding="utf-8")
    path = folder / "big.txt"
    path.write_text(
        "".join(text.replace("000161903", f"{n:09d}") for n in range(1, records + 1)),
        encoding="utf-8",
    )
    return path


def test_a_link_stays_a_link_and_its_file_is_updated(tmp_path: Path) -> None:
    real = tmp_path / "real.bib"
    real.write_text("old")
    (tmp_path / "link.bib").symlink_to("real.bib")
    done = marcconv("convert", str(SEED), "-t", "bibtex", "-o", str(tmp_path / "link.bib"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "link.bib").is_symlink()
    assert real.read_text().startswith("@article{llombartcussac2025second,")
    assert leftovers(tmp_path) == []


def test_a_dangling_link_creates_its_file(tmp_path: Path) -> None:
    (tmp_path / "link.bib").symlink_to("made.bib")
    done = marcconv("convert", str(SEED), "-t", "ris", "-o", str(tmp_path / "link.bib"))
    assert done.returncode == 0
    assert (tmp_path / "link.bib").is_symlink()
    assert (tmp_path / "made.bib").read_text().startswith("TY  - JOUR")


def test_a_private_file_stays_private(tmp_path: Path) -> None:
    target = tmp_path / "refs.bib"
    target.write_text("old")
    target.chmod(0o600)
    assert marcconv("convert", str(SEED), "-t", "bibtex", "-o", str(target)).returncode == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text().startswith("@article")


def test_a_new_file_follows_the_umask(tmp_path: Path) -> None:
    target = tmp_path / "new.bib"
    done = subprocess.run(
        f"umask 027; {sys.executable} -m marcconv convert {SEED} -t bibtex -o {target}",
        shell=True,
        check=False,
    )
    assert done.returncode == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_a_fifo_is_written_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    done = marcconv("convert", str(SEED), "-t", "ris", "-o", str(fifo))
    received, _ = reader.communicate(timeout=60)
    assert done.returncode == 0, done.stderr
    assert received.startswith(b"TY  - JOUR") and received.endswith(b"ER  - \n")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="mknod of a character device needs root")
def test_a_device_is_written_not_replaced(tmp_path: Path) -> None:
    null = tmp_path / "null"  # a device like /dev/null, in a folder of the test's own
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    done = marcconv("convert", str(SEED), "-t", "bibtex", "-o", str(null))
    assert done.returncode == 0, done.stderr
    assert stat.S_ISCHR(null.lstat().st_mode)
    assert leftovers(tmp_path) == []


def test_a_link_to_a_device_writes_the_device(tmp_path: Path) -> None:
    (tmp_path / "out").symlink_to("/dev/stdout")
    done = marcconv("convert", str(SEED), "-t", "ris", "-o", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"TY  - JOUR")
    assert (tmp_path / "out").is_symlink()


def test_a_folder_is_an_error(tmp_path: Path) -> None:
    done = marcconv("convert", str(SEED), "-t", "bibtex", "-o", str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.decode() == f"Error: cannot write {tmp_path}: it is a folder\n"


def test_a_full_device_is_an_error_not_a_traceback() -> None:
    done = marcconv("convert", str(SEED), "-t", "bibtex", "-o", "/dev/full")
    assert done.returncode == 2
    assert done.stderr.decode().endswith("Error: cannot write /dev/full: No space left on device\n")


def _file_size_limit(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead


def test_a_file_that_cannot_grow_is_an_error_and_no_half_file(tmp_path: Path) -> None:
    big = big_input(tmp_path, 200)
    target = tmp_path / "refs.bib"
    target.write_text("old")
    done = marcconv(
        "convert", str(big), "-t", "bibtex", "-o", str(target),
        preexec_fn=lambda: _file_size_limit(100_000),
    )  # fmt: skip
    assert done.returncode == 2
    assert b"Error: cannot write " in done.stderr and b"Traceback" not in done.stderr
    assert target.read_text() == "old"
    assert leftovers(tmp_path) == []


def test_errors_on_a_full_device_stop_the_run_and_keep_the_output_away(tmp_path: Path) -> None:
    source = tmp_path / "w.txt"
    source.write_bytes(WARNING)
    target = tmp_path / "out.bib"
    done = marcconv(
        "convert", str(source), "-t", "bibtex", "--errors", "/dev/full", "-o", str(target)
    )
    assert done.returncode == 2
    assert done.stderr.decode().endswith("Error: cannot write /dev/full: No space left on device\n")
    assert not target.exists()


def test_errors_naming_an_input_is_refused_and_the_input_kept(tmp_path: Path) -> None:
    source = tmp_path / "w.txt"
    source.write_bytes(WARNING)
    done = marcconv("convert", str(source), "-t", "bibtex", "--errors", str(source))
    assert done.returncode == 2
    assert f"--errors {source} is an input" in done.stderr.decode()
    assert source.read_bytes() == WARNING


def test_errors_file_is_untouched_by_a_refused_run(tmp_path: Path) -> None:
    log = tmp_path / "errors.jsonl"
    log.write_text("kept")
    done = marcconv("convert", str(SEED), "-t", "no-such-format", "--errors", str(log))
    assert done.returncode == 2
    assert log.read_text() == "kept"


def test_output_naming_an_input_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "in.txt"
    source.write_bytes(SEED.read_bytes())
    done = marcconv("convert", str(source), "-t", "textmarc", "-o", str(source))
    assert done.returncode == 2
    assert source.read_bytes() == SEED.read_bytes()


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_signal_mid_run_leaves_nothing_behind(tmp_path: Path, number: int, jobs: str) -> None:
    big = big_input(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "marcconv", "convert", str(big), "-t", "bibtex", "-j", jobs,
         "-o", str(tmp_path / "out.bib"), "--errors", str(tmp_path / "errors.jsonl")],
        stderr=subprocess.PIPE,
    )  # fmt: skip
    time.sleep(1.5)
    children = _children(process.pid)
    process.send_signal(number)
    assert process.wait(timeout=60) == 128 + number
    assert process.stderr is not None
    assert process.stderr.read().decode() == f"terminated ({signal.Signals(number).name})\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.txt"]
    _assert_gone(children)


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(n) for n in found.stdout.split()]


def _assert_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + 10
    for pid in pids:
        while Path(f"/proc/{pid}").exists() and _state(pid) != "Z":
            assert time.monotonic() < deadline, f"worker {pid} outlived the run"
            time.sleep(0.05)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="workers follow their parent on Linux"
)
def test_workers_end_with_a_killed_main_process(tmp_path: Path) -> None:
    big = big_input(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "marcconv", "convert", str(big), "-t", "csl-json", "-j", "2",
         "-o", str(tmp_path / "out.json")],
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(1.5)
    children = _children(process.pid)
    assert children
    process.kill()
    process.wait()
    _assert_gone(children)


def test_a_killed_worker_stops_the_run_with_an_error(tmp_path: Path) -> None:
    big = big_input(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "marcconv", "convert", str(big), "-t", "ris", "-j", "2",
         "-o", str(tmp_path / "out.ris")],
        stderr=subprocess.PIPE,
    )  # fmt: skip
    time.sleep(1.5)
    (worker, *_) = _children(process.pid)
    os.kill(worker, signal.SIGKILL)
    assert process.wait(timeout=60) == 2  # never a hang
    assert process.stderr is not None
    assert "was killed by signal 9 (SIGKILL); the run is stopped" in process.stderr.read().decode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.txt"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_closed_pipe_ends_the_run_and_its_workers(tmp_path: Path, jobs: str) -> None:
    big = big_input(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "marcconv", "convert", str(big), "-t", "bibtex", "-j", jobs],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(100)
    children = _children(process.pid)
    process.stdout.close()
    assert process.wait(timeout=60) == 141
    assert process.stderr.read() == b""
    _assert_gone(children)
