"""``generator.cli.run``, the ``tthc`` program: :func:`generator.cli.main`, then the exit
handlers, the streams flushed and the process ended without freeing its objects one by one.
What it must keep: the exit status, every line written, and what the exit handlers do."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _run(code: str, *args: str) -> subprocess.CompletedProcess:
    program = f"import sys; sys.argv = ['tthc', *{list(args)!r}]\n{code}\nfrom generator.cli import run\nrun()"
    return subprocess.run([sys.executable, "-c", program], cwd=REPO, capture_output=True, text=True, timeout=120)


def test_the_status_output_and_exit_handlers_are_kept(tmp_path):
    marker = tmp_path / "handler-ran"
    result = _run(f"import atexit, pathlib; atexit.register(pathlib.Path({str(marker)!r}).touch)",
                  "validate", "--catalog", str(REPO / "catalog"))
    assert result.returncode == 0, result.stderr
    assert marker.exists()  # e.g. tthc serve's temporary cache folder is removed by one
    assert result.stdout.strip()  # the summary line reached the pipe before the process ended


def test_an_error_keeps_its_status_and_message(tmp_path):
    missing = _run("", "validate", "--catalog", str(tmp_path / "nowhere"))
    assert missing.returncode != 0 and "tthc" in missing.stderr
    unknown = _run("", "no-such-command")
    assert unknown.returncode == 2 and "no-such-command" in unknown.stderr


def test_python_m_generator_cli_is_the_program():
    result = subprocess.run([sys.executable, "-m", "generator.cli", "--version"], cwd=REPO, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0 and re.fullmatch(r".+ \d+\.\d+\S*", result.stdout.strip()), result


def test_a_thread_left_running_is_waited_for_as_python_would(tmp_path):
    """A non-daemon thread still running when the command returns (a pool's manager thread, a server's)
    must not be cut off: the process then ends as Python ends it, after the thread."""
    marker = tmp_path / "thread-finished"
    code = (f"import threading, time, pathlib\n"
            f"threading.Thread(target=lambda: (time.sleep(1), pathlib.Path({str(marker)!r}).touch())).start()")
    result = _run(code, "--version")
    assert result.returncode == 0, result.stderr
    assert marker.exists()


def test_a_build_that_stops_early_ends_at_once_with_its_message(tmp_path):
    """A large catalog (the forked open-data process starts from 200 procedures) whose build stops
    after the catalog is read (here: a shallow clone) ends with its message and status: the forked
    process is stopped, not waited for at exit (that hung until killed)."""
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{REPO}", str(clone)], check=True, capture_output=True)
    env = {k: v for k, v in os.environ.items() if k != "TTHC_ALLOW_SHALLOW"}
    result = subprocess.run([sys.executable, "-m", "generator.cli", "build", "--catalog", str(clone / "catalog"),
                             "--site-dir", str(tmp_path / "site")], cwd=REPO, capture_output=True, text=True,
                            timeout=300, env=env)
    assert result.returncode == 1, result.stderr
    assert "--allow-shallow" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "site").exists()


def _forking(code: str = "") -> str:
    """Program text that makes the mini catalog (9 procedures) take the paths of a large one
    (files read, open data made and pages rendered by forked processes: 200 procedures up)."""
    return f"import generator.site, generator.validate; generator.site.PARALLEL_MIN_PROCEDURES = 1\n" \
           f"generator.validate.PARALLEL_FROM = 1\n{code}"


def _gone(pid: int) -> bool:
    """True when process ``pid`` has ended (a zombie nobody reaped has ended too)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent's death signal is Linux's")
@pytest.mark.parametrize("where", ["generator.export.export_catalog", "generator.render.procedure_pages",
                                   "generator.validate._load_procedure"])
def test_a_build_killed_leaves_no_process_holding_the_site(mini, tmp_path, where):
    """``tthc build`` killed (SIGKILL, out of memory; SIGTERM likewise) while a forked process works
    (reading procedure files, making the open-data files, rendering a chunk of pages): that
    process must end too. It waited forever on a
    pipe nobody reads, holding the site's lock, so every later build said another one was running."""
    marker = tmp_path / "worker-pid"
    module, name = where.rsplit(".", 1)
    code = _forking(f"""import os, time, {module}
PARENT = os.getpid()
def stuck(*args, **kwargs):
    if os.getpid() != PARENT:
        open({str(marker)!r}, "w").write(str(os.getpid()))
        time.sleep(300)
    return original(*args, **kwargs)
original, {module}.{name} = {module}.{name}, stuck""")
    program = f"import sys; sys.argv = ['tthc', 'build', '--no-search', '--catalog', {str(mini.root / 'catalog')!r}, " \
              f"'--site-dir', {str(tmp_path / 'site')!r}]\n{code}\nfrom generator.cli import run\nrun()"
    build = subprocess.Popen([sys.executable, "-c", program], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = None
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() or not marker.read_text():
            assert build.poll() is None and time.monotonic() < deadline, "the forked process never started"
            time.sleep(0.05)
        worker = int(marker.read_text())
        build.kill()
        build.wait()
        deadline = time.monotonic() + 30
        while not _gone(worker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _gone(worker), "the forked process outlived the build"
        again = subprocess.run([sys.executable, "-m", "generator.cli", "build", "--no-search", "--catalog",
                                str(mini.root / "catalog"), "--site-dir", str(tmp_path / "site")],
                               cwd=REPO, capture_output=True, text=True, timeout=120)
        assert again.returncode == 0, again.stderr
    finally:
        build.kill()
        if worker is not None and not _gone(worker):
            os.kill(worker, signal.SIGKILL)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_tthc_serve_stopped_removes_its_temporary_folders(mini, tmp_path, stop):
    """``tthc serve`` stopped by Ctrl-C or by SIGTERM (how systemd, Docker and editors stop a
    server): its page cache (``tthc-serve-cache-*``) and MkDocs' site (``mkdocs_*``), both in the
    temporary folder, are removed. SIGTERM left both behind, a site's size each time."""
    import socket
    import urllib.request

    temporary = tmp_path / "tmp"
    temporary.mkdir()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "generator.cli", "serve", "--catalog", str(mini.root / "catalog"),
                               "--dev-addr", f"127.0.0.1:{port}"], cwd=REPO, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, env=dict(os.environ, TMPDIR=str(temporary)))
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None and time.monotonic() < deadline, "tthc serve never answered"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        assert sorted(p.name.split("-")[0].split("_")[0] for p in temporary.iterdir()) == ["mkdocs", "tthc"]
        server.send_signal(stop)
        _, stderr = server.communicate(timeout=60)
    finally:
        server.kill()
    assert "Traceback" not in stderr.decode("utf-8", "replace")
    assert list(temporary.iterdir()) == []


def test_a_closed_standard_output_is_no_error_at_exit():
    """Started with standard output closed (``>&-``, as some schedulers and daemons start commands),
    Python's ``sys.stdout`` is None: a command that printed nothing must still end well (the flush
    at exit raised AttributeError, with a traceback; ``tthc build`` failed after building the site)."""
    result = subprocess.run(["sh", "-c", 'exec "$0" "$@" >&-', sys.executable, "-m", "generator.cli", "--version"],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr


#: The shell's ways of starting a command with a standard stream closed.
CLOSED = {"stdout": ">&-", "stderr": "2>&-", "both": ">&- 2>&-", "all three": "<&- >&- 2>&-"}


@pytest.mark.parametrize("closed", list(CLOSED))
def test_every_command_with_a_standard_stream_closed_keeps_its_status_without_a_traceback(mini, closed):
    """``tthc validate >&-`` raised AttributeError in generator/report.py (``sys.stdout`` is None) and
    exited 1 for a valid catalog; ``tthc diff`` likewise (``sys.stdout.isatty()``), and with standard
    error closed an error's message itself raised. Each command now ends with the status it has with
    both streams open; the stream still open says what it would have said."""
    broken = mini.root / "broken"
    shutil.copytree(mini.root / "catalog", broken)
    (broken / "procedures" / "bo-xay-dung" / "1.000001.yaml").write_text("code: \"1.000001\"\nname: x\n", encoding="utf-8")
    commands = [
        (["validate"], 0, "ok:"),
        (["validate", "--format", "json"], 0, "[]"),
        (["validate", "--catalog", "broken"], 1, "invalid:"),
        (["validate", "--catalog", "broken", "--format", "github"], 1, "::error"),
        (["report", "--format", "json"], 0, "{"),
        (["diff", "HEAD"], 0, ""),
        (["history", "1.000001"], 0, "1.000001"),
        (["validate", "--catalog", "nowhere"], 2, ""),
        (["no-such-command"], 2, ""),
    ]
    for args, status, said in commands:
        result = subprocess.run(["sh", "-c", f'exec "$0" "$@" {CLOSED[closed]}', sys.executable, "-m", "generator.cli",
                                 *args], cwd=mini.root, capture_output=True, text=True, timeout=120)
        assert result.returncode == status, (args, result.stderr)
        assert "Traceback" not in result.stderr + result.stdout, (args, result.stderr)
        if closed == "stderr":
            assert said in result.stdout, (args, result.stdout)
        elif closed == "stdout" and status == 2:
            assert "tthc" in result.stderr or "Usage" in result.stderr, (args, result.stderr)


def test_a_closed_standard_output_becomes_the_null_device_not_the_next_file_opened(tmp_path):
    """With descriptor 1 closed, the next file opened would get it, and anything written to descriptor 1
    (a program tthc starts, such as git) would go into that file: it is the null device instead."""
    out = tmp_path / "next-file"
    result = subprocess.run(["sh", "-c", 'exec "$0" "$@" >&-', sys.executable, "-c",
                             "import os, sys\nfrom generator.cli import _open_closed_streams\n_open_closed_streams()\n"
                             "print('to the null device')\nos.write(1, b'also there')\n"
                             f"handle = open({str(out)!r}, 'w')\nassert handle.fileno() > 2, handle.fileno()\n"
                             "assert os.path.samestat(os.fstat(1), os.stat(os.devnull))"],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert out.read_text() == ""


@pytest.mark.slow
@pytest.mark.parametrize("delay", [2.0, 9.0])
def test_ctrl_c_during_a_large_build_stops_it_in_one_line(tmp_path, delay):
    """Ctrl-C (SIGINT to the whole command, as a terminal sends it) while the real catalog builds on
    both cores (reading, then rendering): the build stops within seconds (the chunks no worker
    has begun are dropped), says so in one line, with no traceback, and publishes nothing."""
    process = subprocess.Popen([sys.executable, "-m", "generator.cli", "build", "--no-search", "--site-dir",
                                str(tmp_path / "site")], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGINT)
    try:
        _out, err = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("the build did not stop within 120 s of Ctrl-C")
    assert process.returncode == 130 and "Traceback" not in err, err[-2000:]
    assert err.splitlines()[-1] == "Aborted!", err[-2000:]
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize(("command", "where"), [("validate", "generator.validate._load_procedure"),
                                                ("build", "generator.render.procedure_pages")])
def test_ctrl_c_ends_a_command_with_status_130_and_one_line(mini, tmp_path, command, where):
    """Ctrl-C (SIGINT to the whole command, as a terminal sends it) while procedure files are read
    (``tthc validate``) or pages rendered (``tthc build``), with forked workers: status 130 (128 +
    SIGINT, what a shell gives a command SIGINT ended, so a script running tthc stops too), not
    click's 1, which tthc uses for invalid input; click's one line "Đã hủy!" and no traceback."""
    marker = tmp_path / "busy"
    module, name = where.rsplit(".", 1)
    code = _forking(f"""import os, time, {module}
PARENT = os.getpid()
def busy(*args, **kwargs):
    if os.getpid() == PARENT:
        open({str(marker)!r}, "w").write("here")
        time.sleep(300)
    return original(*args, **kwargs)
original, {module}.{name} = {module}.{name}, busy""")
    catalog = str(mini.root / "catalog")
    args = ["validate", "--catalog", catalog] if command == "validate" else \
        ["build", "--no-search", "--catalog", catalog, "--site-dir", str(tmp_path / "site")]
    program = f"import sys; sys.argv = ['tthc', *{args!r}]\n{code}\nfrom generator.cli import run\nrun()"
    process = subprocess.Popen([sys.executable, "-c", program], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True, env=dict(os.environ, LANGUAGE="vi"))
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.05)
        os.killpg(process.pid, signal.SIGINT)
        _out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    assert process.returncode == 130, err
    assert "Traceback" not in err and err.strip().splitlines() == ["Đã hủy!"], err
    assert not (tmp_path / "site").exists()


def _tthc_into(target: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``tthc ARGS >TARGET`` through a shell, as a user runs it (the real descriptor 1)."""
    return subprocess.run(["sh", "-c", f'exec "$0" "$@" >{target}', sys.executable, "-m", "generator.cli", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=300, env=dict(os.environ, LANGUAGE="vi"))


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_standard_output_that_cannot_be_written_is_one_line_and_status_74(mini):
    """``tthc validate >/dev/full`` (a full disk) ended with a traceback of OSError ENOSPC and status 1: every
    command now says so in one line on stderr and exits 74 (EX_IOERR), not 1 (invalid) or 0."""
    for args in (["validate"], ["validate", "--format", "json"], ["report"], ["history", "1.000001"],
                 ["diff", "HEAD"], ["validate", "--help"], ["--help"]):
        result = _tthc_into("/dev/full", *args, cwd=mini.root)
        assert result.returncode == 74, (args, result.stderr)
        assert result.stderr.splitlines() == ["tthc: lỗi: không ghi được đầu ra: No space left on device"], (args, result.stderr)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_build_whose_summary_cannot_be_written_says_the_site_was_published(mini, tmp_path):
    """``tthc build >/dev/full`` failed with a traceback at its summary line, after the site was published,
    so a successful build looked failed: it keeps status 0 and says the site is out and only the summary was lost."""
    site = tmp_path / "site"
    result = _tthc_into("/dev/full", "build", "--no-search", "--catalog", str(mini.root / "catalog"),
                        "--site-dir", str(site), cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"tthc: đã xây dựng và công bố trang web vào {site}, nhưng không ghi được dòng tóm tắt: No space left on device"]
    assert (site / "index.html").is_file()


def test_a_pipe_closed_early_ends_quietly_with_status_141():
    """``tthc validate | head -1`` on the valid bundled catalog exited 1 (click's broken pipe), as an invalid
    catalog does, so ``set -o pipefail`` failed it: it is 141 (128 + SIGPIPE, as cat and grep give), with
    nothing on stderr (no traceback, no "Exception ignored" at exit). The pipe is made small (4 kB) so that
    the report (about 20 kB of warnings) cannot all fit in it before the reader closes it."""
    import fcntl

    for fmt in ("text", "json", "github"):
        read, write = os.pipe()
        fcntl.fcntl(write, getattr(fcntl, "F_SETPIPE_SZ", 1031), 4096)
        process = subprocess.Popen([sys.executable, "-m", "generator.cli", "validate", "--format", fmt], cwd=REPO,
                                   stdout=write, stderr=subprocess.PIPE)
        os.close(write)
        with os.fdopen(read, "rb") as reader:
            assert reader.readline()
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 141, (fmt, err)
        assert err == b"", (fmt, err)


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["--version"], ["validate", "--help"], ["diff", "-h"]], ids=" ".join)
def test_help_into_a_closed_pipe_ends_quietly_with_status_141(args):
    """``tthc --help | head -0`` exited 1 (click's own handling of a broken pipe, while the group's context is
    made): the help, the version and a command's help into a pipe already closed by its reader give 141, as the
    commands do, with nothing on stderr (no traceback, no "Exception ignored" at exit)."""
    read, write = os.pipe()
    os.close(read)  # the reader is gone before tthc writes anything (``| head -0``, ``| true``)
    try:
        process = subprocess.run([sys.executable, "-m", "generator.cli", *args], cwd=REPO, stdout=write,
                                 stderr=subprocess.PIPE, timeout=120)
    finally:
        os.close(write)
    assert process.returncode == 141, (args, process.stderr)
    assert process.stderr == b"", (args, process.stderr)


def test_usage_into_a_closed_pipe_ends_quietly_with_status_141():
    """``tthc 2>&1 | true`` (no command: the usage goes to stderr) and a wrong option's message likewise."""
    for args in ([], ["validate", "--no-such-option"]):
        read, write = os.pipe()
        os.close(read)
        try:
            process = subprocess.run([sys.executable, "-m", "generator.cli", *args], cwd=REPO, stdout=write, stderr=write,
                                     timeout=120)
        finally:
            os.close(write)
        assert process.returncode == 141, args


def test_every_exit_status_is_documented_in_the_help_and_the_readmes(tmp_path):
    """The statuses the program gives (generator.cli's EXIT_* constants) are each listed once, in order, by
    ``tthc --help`` in both languages, by README.md and by the README a new catalog gets (catalog_template)."""
    from generator import cli
    from tthc_cli import tthc

    statuses = sorted(value for name, value in vars(cli).items() if name.startswith("EXIT_") and isinstance(value, int))
    assert statuses == [0, 1, 2, 74, 130, 141]
    for language, heading in (("vi", "Mã thoát:"), ("en", "Exit status:")):
        help_text = tthc("--help", cwd=tmp_path, env={"LANGUAGE": language}).stdout
        listed = help_text.split(heading, 1)[1]
        assert [int(n) for n in re.findall(r"^ +([0-9]+) {2,}", listed, re.M)] == statuses, (language, listed)
    for readme in (REPO / "README.md", REPO / "generator" / "catalog_template" / "README.md"):
        rows = re.findall(r"^\| `([0-9]+)` \|", readme.read_text(encoding="utf-8"), re.M)
        assert [int(n) for n in rows] == statuses, readme
