#!/usr/bin/env bash
# Installs the Debian package into a clean Debian 12 root, its dependencies from Debian's
# archive, and starts settled there as settled.service would (no systemd runs in a
# chroot: the unit's ExecStart, as its User, in its WorkingDirectory, with its UMask).
# Then: it answers GET /readyz, serves the dashboard from the packaged folder, creates a
# user with the admin key the package made, stops with exit 0 on SIGTERM, and a purge
# takes the package's files but leaves the ledger.
#
#   install-in-clean-root.sh PACKAGE.deb
#   install-in-clean-root.sh --prepare      only make the cached base root
#
# The base root (debootstrap --variant=minbase bookworm) is made once and cached as a tar
# in $SETTLE_PACKAGE_TEST_CACHE (default /var/tmp/settle-package-test); every run
# unpacks a new copy and deletes it at the end, mounts and processes included, however
# the run ends. The archive is $SETTLE_DEBIAN_MIRROR (default http://deb.debian.org/debian)
# and its -security sibling. Needs root (debootstrap, chroot, mount), debootstrap and curl.
# The chroot shares this machine's network: settled listens on a free loopback port.
set -euo pipefail
umask 022

readonly suite=bookworm
readonly cache=${SETTLE_PACKAGE_TEST_CACHE:-/var/tmp/settle-package-test}
readonly base_tar=$cache/base-$suite.tar
readonly mirror=${SETTLE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
readonly security_mirror=${SETTLE_DEBIAN_SECURITY_MIRROR:-${mirror%/debian}/debian-security}
readonly chroot_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

work=""
root=""
started=$(date +%s)

say() { echo "install-in-clean-root: $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }
seconds_since() { echo $(($(date +%s) - $1)); }

# ------------------------------------------------------------------ cleaning up

# The processes whose root directory is the chroot or inside it.
processes_in_root() {
    local link pid
    for link in /proc/[0-9]*/root; do
        pid=${link#/proc/}; pid=${pid%/root}
        [[ "$(readlink "$link" 2>/dev/null)" == "$root"* ]] && echo "$pid"
    done
    return 0
}

# SIGTERM to each, then SIGKILL to those still there after 5 s, one PID at a time.
stop_processes_in_root() {
    local pid signal
    for signal in TERM KILL; do
        for pid in $(processes_in_root); do kill -s "$signal" "$pid" 2>/dev/null || true; done
        for _ in $(seq 50); do
            [[ -z "$(processes_in_root)" ]] && return 0
            sleep 0.1
        done
    done
}

# Mount points under the root, innermost first.
mounts_in_root() {
    awk -v r="$root" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo | tac
}

cleanup() {
    local mount_point
    trap '' INT TERM
    if [[ -n "$root" && -d "$root" ]]; then
        stop_processes_in_root
        while read -r mount_point; do
            umount "$mount_point" || umount -l "$mount_point" || say "could not unmount $mount_point"
        done < <(mounts_in_root)
    fi
    if [[ -n "$work" && -d "$work" ]]; then
        if [[ -n "$root" && -n "$(mounts_in_root)" ]]; then
            say "not deleting $work: something is still mounted there"
        else
            rm -rf --one-file-system "$work"
        fi
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs a long step as a child and waits for it: bash runs a trap only once the
# foreground command has ended, but interrupts `wait` at once, so an interrupted run
# cleans up now rather than after apt or debootstrap finish.
interruptible() {
    "$@" &
    wait $!
}

# ------------------------------------------------------------------ the base root

mount_root() {
    mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
    mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
    # Slaves: nothing mounted inside propagates back to this machine.
    mount --bind /dev "$root/dev" && mount --make-slave "$root/dev"
    mount --bind /dev/pts "$root/dev/pts" && mount --make-slave "$root/dev/pts"
    mount -t tmpfs -o nosuid,nodev,mode=0755 run "$root/run"
    cp -L /etc/resolv.conf "$root/etc/resolv.conf"
}

# Runs a command in the root as root, with a clean environment.
in_root() {
    chroot "$root" /usr/bin/env -i HOME=/root PATH="$chroot_path" LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive "$@"
}

# debootstrap once, under a lock (two runs at once make it once), cached as a tar.
make_base() {
    mkdir -p "$cache"
    exec {lock}>"$cache/base.lock"
    flock "$lock"
    if [[ ! -f "$base_tar" ]]; then
        command -v debootstrap >/dev/null || fail "debootstrap is missing (apt-get install debootstrap)"
        local since; since=$(date +%s)
        work=$(mktemp -d "$cache/base-build.XXXXXX")
        root=$work/root
        say "making the base root: debootstrap --variant=minbase $suite $mirror (once)"
        interruptible debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
            { tail -n 20 "$work/debootstrap.log" >&2; fail "debootstrap failed"; }
        printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s %s-security main\n' \
            "$mirror" "$suite" "$mirror" "$suite" "$security_mirror" "$suite" >"$root/etc/apt/sources.list"
        # As an image comes: no package lists, no downloaded packages.
        rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb "$root/etc/resolv.conf"
        tar -C "$root" --numeric-owner -cpf "$base_tar.tmp" .
        mv "$base_tar.tmp" "$base_tar"
        rm -rf --one-file-system "$work"
        work="" root=""
        say "base root made in $(seconds_since "$since") s: $base_tar"
    fi
    exec {lock}>&-
}

# ------------------------------------------------------------------ the test

# A value of the installed unit, e.g. unit_value User.
unit_value() {
    sed -n "s/^$1=//p" "$root/lib/systemd/system/settled.service" | head -n 1
}

install_package() {
    local package=$1 since; since=$(date +%s)
    cp "$package" "$root/tmp/"
    interruptible in_root sh -c 'apt-get update -q && apt-get install -y -q "$1"' sh "/tmp/$(basename "$package")" \
        >"$work/apt.log" 2>&1 || { tail -n 30 "$work/apt.log" >&2; fail "apt-get install failed"; }
    say "installed with its dependencies in $(seconds_since "$since") s:" \
        "$(grep -c '^Setting up' "$work/apt.log") packages set up"
}

# "OWNER GROUP MODE" of a path in the root, the names as the root's own passwd has them.
owner_and_mode() {
    in_root stat -c '%U %G %a' "$1"
}

# systemd-analyze verify on this machine (the root has no systemd), with ExecStart's
# binary found inside the root; an unknown or misspelt directive is only a warning to
# it, so any output at all fails.
verify_unit() {
    if ! command -v systemd-analyze >/dev/null; then
        say "no systemd-analyze here: the unit is not verified"
        return 0
    fi
    mkdir "$work/unit"
    sed "s|^ExecStart=/|ExecStart=$root/|" "$root/lib/systemd/system/settled.service" >"$work/unit/settled.service"
    (cd "$work/unit" && systemd-analyze verify settled.service) >"$work/verify" 2>&1 || true
    [[ ! -s "$work/verify" ]] || { cat "$work/verify" >&2; fail "systemd-analyze verify objects to settled.service"; }
}

check_installed_files() {
    local user; user=$(unit_value User)
    in_root getent passwd "$user" >/dev/null || fail "the postinst made no user $user"
    [[ "$(owner_and_mode /var/lib/settle)" == "$user $user 700" ]] ||
        fail "/var/lib/settle is not $user's alone: $(owner_and_mode /var/lib/settle)"
    [[ "$(owner_and_mode /etc/settle/keys)" == "root $user 640" ]] ||
        fail "/etc/settle/keys is not root's, readable by group $user: $(owner_and_mode /etc/settle/keys)"
    grep -qE '^sk_admin_[0-9a-f]{48} operations admin$' "$root/etc/settle/keys" ||
        fail "the keys file holds no admin key"
    in_root dpkg-query -W -f='${Conffiles}\n' settle | grep -q /etc/settle/settle.ini ||
        fail "settle.ini is not a conffile"
    verify_unit
    in_root settled --help >"$work/help" || fail "settled --help failed"
    grep -qF -- '--http.web-root=<string>  (default: none)' "$work/help" ||
        fail "settled --help does not list --http.web-root with its default"
}

# The unit's ExecStart as its User in its WorkingDirectory with its UMask, without
# privileges (NoNewPrivileges=, an empty CapabilityBoundingSet=): sets unit_command.
# Started from it, the background PID is settled's own (chroot, sh and setpriv exec).
make_unit_command() {
    local user directory mask
    user=$(unit_value User) directory=$(unit_value WorkingDirectory) mask=$(unit_value UMask)
    # ExecStart is a command line of plain words: split on spaces.
    read -ra exec_start <<<"$(unit_value ExecStart)"
    unit_command=(chroot "$root" /usr/bin/env -i HOME="$directory" PATH="$chroot_path" LANG=C.UTF-8
        sh -c 'cd "$1" && umask "$2" && shift 2 && exec "$@"' sh "$directory" "$mask"
        setpriv --reuid="$user" --regid="$user" --init-groups --no-new-privs
        --inh-caps=-all --bounding-set=-all -- "${exec_start[@]}")
}

# Starts settled on a free port; sets server and url.
start_settled() {
    make_unit_command
    "${unit_command[@]}" --check-config >"$work/check" 2>&1 ||
        { cat "$work/check" >&2; fail "settled --check-config refuses the packaged config"; }
    "${unit_command[@]}" --http.listen=127.0.0.1:0 >"$work/out" 2>"$work/err" &
    server=$!
    for _ in $(seq 300); do
        url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$work/out" || true)
        [[ -n "$url" ]] && return 0
        kill -0 "$server" 2>/dev/null || break
        sleep 0.1
    done
    cat "$work/out" "$work/err" >&2
    fail "settled did not print its ready line"
}

# Status code of a request; the body is left in $work/body.
request() {
    curl -s -o "$work/body" -w '%{http_code}' --max-time 10 "$@"
}

exercise_settled() {
    local key status user_id
    [[ "$(request "$url/readyz")" == 200 ]] || fail "GET /readyz: $(cat "$work/body")"
    [[ "$(request "$url/")" == 200 ]] && grep -qi '<html' "$work/body" ||
        fail "the dashboard is not served from /usr/share/settle/web: $(head -c 200 "$work/body")"
    key=$(awk 'NR == 1 { print $1 }' "$root/etc/settle/keys")
    status=$(request -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
        -d '{"name":"Ada","email":"ada@example.com"}' "$url/v1/users")
    [[ "$status" == 201 ]] || fail "POST /v1/users: $status $(cat "$work/body")"
    user_id=$(grep -o '"id":"usr_[^"]*"' "$work/body" | cut -d'"' -f4)
    [[ "$(request -H "Authorization: Bearer $key" "$url/v1/users/$user_id")" == 200 ]] ||
        fail "GET /v1/users/$user_id: $(cat "$work/body")"
    say "ready at $url; the dashboard served; user $user_id created with the package's admin key"
}

stop_settled() {
    local status=0
    kill -TERM "$server"
    wait "$server" || status=$?
    [[ "$status" == 0 ]] || { cat "$work/err" >&2; fail "settled exited $status on SIGTERM"; }
    local user; user=$(unit_value User)
    [[ "$(owner_and_mode /var/lib/settle/settle.db)" == "$user $user 600" ]] ||
        fail "the ledger is not the service user's alone: $(owner_and_mode /var/lib/settle/settle.db)"
}

purge_package() {
    in_root dpkg --purge settle >"$work/purge.log" 2>&1 || { cat "$work/purge.log" >&2; fail "dpkg --purge failed"; }
    [[ ! -e "$root/usr/bin/settled" && ! -e "$root/etc/settle" ]] || fail "the purge left settled or /etc/settle"
    [[ -f "$root/var/lib/settle/settle.db" ]] || fail "the purge deleted the ledger"
}

main() {
    [[ $EUID == 0 ]] || fail "must run as root (debootstrap, chroot, mount)"
    if [[ "${1:-}" == --prepare ]]; then
        make_base
        return 0
    fi
    local package=${1:?usage: install-in-clean-root.sh PACKAGE.deb}
    [[ -f "$package" ]] || fail "no package at $package"
    command -v curl >/dev/null || fail "curl is missing"
    make_base
    work=$(mktemp -d "$cache/run.XXXXXX")
    root=$work/root
    mkdir "$root"
    interruptible tar -C "$root" --numeric-owner -xpf "$base_tar"
    mount_root
    say "a clean $suite root at $root"
    install_package "$package"
    check_installed_files
    start_settled
    exercise_settled
    stop_settled
    purge_package
    say "passed in $(seconds_since "$started") s: $(basename "$package") installs, starts, serves and stops"
}

main "$@"
