#!/usr/bin/env bash
# Makes sure what the test suite talks to is present: PostgreSQL on 127.0.0.1:5432 and the independent
# SOAP/WSDL tools from Debian used by the interoperability tests. Installs them when run as root.
set -euo pipefail

declare -A tool_package=(
  [xmllint]=libxml2-utils [wsimport]=jaxws [wsdl2h]=gsoap [php]=php-cli
)
missing=()
for tool in "${!tool_package[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${tool_package[$tool]}")
done
/usr/bin/python3 -c 'import zeep' >/dev/null 2>&1 || missing+=(python3-zeep)
command -v php >/dev/null 2>&1 && php -m 2>/dev/null | grep -qi '^soap$' || missing+=(php-soap)

if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "installing test tools: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "missing Debian packages for the interoperability tests: ${missing[*]} (apt-get install them)" >&2
    exit 1
  fi
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; }
fi
