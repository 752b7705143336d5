#!/usr/bin/env bash
# Set up the PostgreSQL server of an FBM Desk shared workspace on Debian or Ubuntu (run as root on the computer
# that will hold the data; see README, "Shared workspace").
#
#   sudo bash scripts/setup_workspace_server.sh --network 192.168.1.0/24 [--db fbm_desk] [--user fbm_desk]
#
# Installs Debian's postgresql package, creates a login role with a generated password and an empty database it
# owns, lets the stations of --network connect with TLS only (scram-sha-256 passwords; Debian's cluster already
# has a TLS certificate), and restarts the cluster. Prints what to enter in each station's Settings → Workspace.
# Running it again keeps the role, its password and the database.
set -euo pipefail

db=fbm_desk
user=fbm_desk
network=""
while [ $# -gt 0 ]; do
  case "$1" in
    --db) db=$2; shift 2;;
    --user) user=$2; shift 2;;
    --network) network=$2; shift 2;;
    *) echo "usage: $0 --network CIDR [--db NAME] [--user NAME]" >&2; exit 2;;
  esac
done
[ -n "$network" ] || { echo "--network is required: the stations' network, e.g. 192.168.1.0/24" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "run as root (sudo)" >&2; exit 1; }
[[ "$db" =~ ^[a-z_][a-z0-9_]*$ && "$user" =~ ^[a-z_][a-z0-9_]*$ ]] || {
  echo "--db and --user: lower-case letters, digits and _ only" >&2; exit 2; }

apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql openssl >/dev/null
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
conf=/etc/postgresql/$version/main
psql_as_postgres() { runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qtA "$@"; }

password=""
if [ "$(psql_as_postgres -c "SELECT 1 FROM pg_roles WHERE rolname = '$user'")" != "1" ]; then
  password=$(openssl rand -base64 24 | tr -d '/+=' | cut -c1-24)
  psql_as_postgres -c "CREATE ROLE $user LOGIN PASSWORD '$password'"
fi
if [ "$(psql_as_postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != "1" ]; then
  psql_as_postgres -c "CREATE DATABASE $db OWNER $user ENCODING 'UTF8' TEMPLATE template0"
fi

cat > "$conf/conf.d/fbm-desk.conf" <<EOF
# FBM Desk shared workspace (scripts/setup_workspace_server.sh)
listen_addresses = '*'
ssl = on
password_encryption = scram-sha-256
EOF
line="hostssl $db $user $network scram-sha-256"
grep -qxF "$line" "$conf/pg_hba.conf" || echo "$line" >> "$conf/pg_hba.conf"
pg_ctlcluster "$version" main restart

host=$(hostname -f 2>/dev/null || hostname)
echo
echo "Shared workspace ready: PostgreSQL $version on $host, port 5432, database '$db', user '$user'."
if [ -n "$password" ]; then
  echo "Password (shown once; keep it safe): $password"
else
  echo "The role '$user' existed already: its password was kept."
fi
echo "On each station: Settings → Workspace → Shared server; host $host, port 5432, database $db, user $user,"
echo "TLS 'Require TLS'; Test connection; Save; restart. First station moving from one computer:"
echo "  fbm-desk workspace migrate --to postgresql://$user@$host:5432/$db?sslmode=require"
