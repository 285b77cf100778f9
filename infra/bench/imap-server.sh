# Sourced by the benchmarks that read an intake mailbox: a throwaway dovecot (Debian's
# dovecot-imapd) on loopback, plain IMAP (the portal is told Intake:AllowInsecure for it), any
# user name signing in with the run's password.
#   bench_imap_start    starts it; exports PORTAL_BENCH_IMAP (127.0.0.1:port) and PORTAL_BENCH_IMAP_PASSWORD
#   bench_imap_stop     stops it and removes its directory (call it from the caller's EXIT trap)
# Needs as_root defined by the caller.

bench_imap_dir=""
bench_imap_pid=""

bench_imap_start() {
  [ -x /usr/sbin/dovecot ] || { echo "needs dovecot-imapd (apt-get install dovecot-imapd, or run infra/test once)"; return 2; }
  bench_imap_dir="$(mktemp -d /tmp/portal-bench-imap.XXXXXX)"
  local port password
  port="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')"
  password="$(openssl rand -hex 16)"
  chmod 711 "$bench_imap_dir"
  mkdir -p "$bench_imap_dir/mail" "$bench_imap_dir/run" "$bench_imap_dir/state"
  as_root chown dovecot:dovecot "$bench_imap_dir/mail"
  cat > "$bench_imap_dir/dovecot.conf" <<EOF
base_dir = $bench_imap_dir/run
state_dir = $bench_imap_dir/state
log_path = $bench_imap_dir/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:$bench_imap_dir/mail/%u
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 1
passdb {
  driver = static
  args = password=$password
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=$bench_imap_dir/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
EOF
  as_root /usr/sbin/dovecot -F -c "$bench_imap_dir/dovecot.conf" &
  bench_imap_pid=$!
  for _ in $(seq 1 100); do
    /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1).close()" 2>/dev/null && break
    sleep 0.1
  done
  export PORTAL_BENCH_IMAP="127.0.0.1:$port" PORTAL_BENCH_IMAP_PASSWORD="$password"
}

bench_imap_stop() {
  [ -n "$bench_imap_dir" ] || return 0
  local dovecot_pid
  dovecot_pid="$(as_root cat "$bench_imap_dir/run/master.pid" 2>/dev/null || true)"
  if [ -n "$dovecot_pid" ]; then as_root kill "$dovecot_pid" 2>/dev/null || true; fi
  if [ -n "$bench_imap_pid" ]; then wait "$bench_imap_pid" 2>/dev/null || true; fi
  as_root rm -rf "$bench_imap_dir"
  bench_imap_dir=""
}
