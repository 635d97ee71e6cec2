# shellcheck shell=bash
# Shared helpers for scripts/demo and scripts/test: messages, apt packages, the project's virtualenv.
# Sourced, never run; expects to be sourced from the repository root.

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
warn() { printf '\033[1;33m!!\033[0m %s\n' "$*" >&2; }
die() {
    printf '\033[1;31mxx\033[0m %s\n' "$*" >&2
    exit 1
}

# Runs a command as root: directly when we are root, else through sudo when there is one.
as_root() {
    if [ "$(id -u)" = 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root (or sudo) to run: $*"
    fi
}

# ensure_apt_packages PKG... installs whichever of the Debian packages are not installed yet, with one
# `apt-get update` at most, so a warm machine does no network work at all.
ensure_apt_packages() {
    local missing=() package
    for package in "$@"; do
        dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        return 0
    fi
    command -v apt-get >/dev/null 2>&1 || die "missing packages ${missing[*]} and no apt-get to install them"
    say "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if [ -z "${_APT_UPDATED:-}" ]; then
        as_root apt-get update -qq
        _APT_UPDATED=1
    fi
    as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# find_python prints a Python >= 3.11 interpreter (PYTHON overrides), or fails. The distribution's own
# interpreter comes first: Debian builds CPython with profile-guided and link-time optimisation (as the
# python:3.11 image production runs does), while a self-built one such as pyenv's default runs the same
# code about a quarter slower (certificate rendering, roster checks, every page's Python).
find_python() {
    local candidate
    for candidate in ${PYTHON:-} /usr/bin/python3.11 /usr/bin/python3 python3.11 python3 python; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

# ensure_venv [extras] creates .venv when missing and installs the project with its dependencies
# (`pip install -e ".[extras]"`). A stamp holding a hash of pyproject.toml, the extras and the venv's
# Python version lets a re-run skip pip entirely; a change to pyproject.toml (or a broken venv) reinstalls.
ensure_venv() {
    local extras="${1:-}" python stamp wanted target="."
    [ -n "$extras" ] && target=".[${extras}]"
    stamp=.venv/.jinan_ce-installed

    if [ -e .venv ] && ! .venv/bin/python -c 'import sys' >/dev/null 2>&1; then
        warn ".venv is broken (its interpreter does not run); recreating it"
        rm -rf .venv
    fi
    if [ ! -x .venv/bin/python ]; then
        python=$(find_python) || die "Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)"
        say "creating .venv with $python ($("$python" --version 2>&1))"
        if ! "$python" -m venv .venv; then
            rm -rf .venv
            # Debian's python3 comes without ensurepip; as root we can add it, else say how.
            if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && [[ "$python" == /usr/bin/* ]]; then
                ensure_apt_packages python3-venv
                "$python" -m venv .venv || { rm -rf .venv; die "'$python -m venv' failed"; }
            else
                die "'$python -m venv' failed; on Debian install the venv module: apt-get install python3-venv"
            fi
        fi
        .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
    fi
    wanted="$(sha256sum pyproject.toml | cut -d' ' -f1) extras=${extras} $(.venv/bin/python -V 2>&1)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
        say ".venv is up to date with pyproject.toml (pip skipped)"
        return 0
    fi
    say "installing the project into .venv: pip install -e \"$target\""
    rm -f "$stamp"
    .venv/bin/python -m pip install -q --disable-pip-version-check -e "$target"
    printf '%s\n' "$wanted" >"$stamp"
}
