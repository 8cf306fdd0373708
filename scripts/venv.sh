# Sourced by scripts/build-site and scripts/test: create and fill the project virtual environment.
#
#   tthc_venv EXTRAS      e.g. tthc_venv "" (the generator) or tthc_venv test (with the test extras)
#
# * The environment is .venv/ at the repository root, made by $PYTHON if set, else by the first
#   python3 on PATH (Debian's and Ubuntu's own /usr/bin/python3 are fine: nothing is installed into
#   the system Python, so PEP 668's "externally-managed-environment" never applies).
# * Debian and Ubuntu ship venv separately: when `python3 -m venv` fails, the interpreter's
#   python3.X-venv package (else python3-venv) is installed with apt (as root, or through sudo) and
#   the environment is made again. Without apt the message says what to install.
# * pip runs only when something changed: the stamp .venv/.tthc-installed-EXTRAS holds a hash of
#   pyproject.toml, the extras and the interpreter; a second run with the same inputs skips pip.
#   A broken .venv makes a new environment; so does a different interpreter given by $PYTHON, with
#   a line saying so. Without $PYTHON a working .venv is kept, whichever python3 made it (a run with
#   PYTHON=/usr/bin/python3 and the next one without it rebuilt .venv from pyenv's python3, silently).
# Afterwards $VENV_PY is the environment's python.

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

tthc_venv() {
  local extras="$1" python="${PYTHON:-python3}" base_version
  if ! base_version=$("$python" -c 'import sys; print(sys.version_info >= (3, 11), sys.executable, sys.version.split()[0])' 2>/dev/null); then
    echo "tthc: cannot run $python: install Python 3.11 or later, or set PYTHON=/path/to/python3" >&2
    return 2
  fi
  case "$base_version" in
    True*) ;;
    *) echo "tthc: $python is Python ${base_version##* }; tthc needs 3.11 or later (set PYTHON=/path/to/python3.11)" >&2; return 2 ;;
  esac
  VENV_PY="$PWD/.venv/bin/python"
  local origin_file=.venv/.tthc-python made_by
  made_by=$(cat "$origin_file" 2>/dev/null || true)  # none yet: a new .venv
  if [ -z "${PYTHON:-}" ] && [ -n "$made_by" ] && [ -x "$VENV_PY" ] && "$VENV_PY" -c 'import pip' >/dev/null 2>&1; then
    base_version="$made_by"  # keep the environment as it was made
  fi
  if [ ! -x "$VENV_PY" ] || ! "$VENV_PY" -c 'import pip' >/dev/null 2>&1 || [ "$made_by" != "$base_version" ]; then
    if [ -n "$made_by" ] && [ "$made_by" != "$base_version" ]; then
      echo "tthc: .venv was made by Python ${made_by#* }; making it again with $python, as PYTHON says" >&2
    fi
    rm -rf .venv
    if ! "$python" -m venv .venv >/dev/null 2>&1; then
      rm -rf .venv
      if ! command -v apt-get >/dev/null 2>&1; then
        echo "tthc: $python -m venv failed: install Python's venv module for $python, or set PYTHON=/path/to/python3" >&2
        return 2
      fi
      local minor
      minor=$("$python" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
      echo "tthc: $python -m venv failed; installing python$minor-venv (apt)" >&2
      apt_install "python$minor-venv" || apt_install python3-venv
      "$python" -m venv .venv
    fi
    echo "$base_version" > "$origin_file"
  fi
  local stamp=".venv/.tthc-installed-${extras:-base}" want
  want=$( { cat pyproject.toml; echo "extras=$extras"; echo "$base_version"; } | sha256sum | cut -d' ' -f1)
  local with_test
  with_test=$( { cat pyproject.toml; echo "extras=test"; echo "$base_version"; } | sha256sum | cut -d' ' -f1)
  if [ -z "$extras" ] && [ "$(cat .venv/.tthc-installed-test 2>/dev/null)" = "$with_test" ]; then
    return 0  # the test extras include the generator
  fi
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    "$VENV_PY" -m pip install --quiet --disable-pip-version-check -e ".${extras:+[$extras]}"
    echo "$want" > "$stamp"
  fi
}
