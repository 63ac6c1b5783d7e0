#!/usr/bin/env bash
# Start a private Virtuoso (Debian package virtuoso-opensource-7-bin) without systemd.
#
#   start_virtuoso.sh DBDIR SQL_PORT HTTP_PORT [TIMEOUT_SECONDS]
#
# - DBDIR is created if missing; it holds virtuoso.ini, the database, the log
#   (DBDIR/virtuoso.log) and DBDIR/virtuoso.pid.
# - Both listeners are bound to 127.0.0.1 only.
# - The server runs in the background (own process group); this script
#   returns once SQL (isql) and HTTP (/sparql) both answer. Prints nothing on
#   success; on failure prints the log tail to stderr and exits non-zero.
# - Fresh database => users dba/dba (SQL + HTTP digest). Bound to loopback only.
# - Stop: kill "$(cat DBDIR/virtuoso.pid)"   (or: isql-vt 127.0.0.1:SQL_PORT dba dba -K)
set -euo pipefail

DBDIR=${1:?usage: start_virtuoso.sh DBDIR SQL_PORT HTTP_PORT [TIMEOUT]}
SQL_PORT=${2:?SQL_PORT missing}
HTTP_PORT=${3:?HTTP_PORT missing}
TIMEOUT=${4:-120}
VIRTUOSO_T=${VIRTUOSO_T:-/usr/bin/virtuoso-t}
ISQL=${ISQL:-/usr/bin/isql-vt}

for b in "$VIRTUOSO_T" "$ISQL"; do
  [ -x "$b" ] || { echo "start_virtuoso: $b not found (apt-get install virtuoso-opensource-7-bin)" >&2; exit 2; }
done

mkdir -p "$DBDIR/vsp"
DBDIR=$(cd "$DBDIR" && pwd)

# alive PID: process exists and is not a zombie (an init that reaps lazily leaves
# zombies around, and kill -0 succeeds on those)
alive() {
  local st
  st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

if [ -f "$DBDIR/virtuoso.pid" ] && alive "$(cat "$DBDIR/virtuoso.pid")"; then
  echo "start_virtuoso: already running with pid $(cat "$DBDIR/virtuoso.pid") for $DBDIR" >&2
  exit 3
fi
rm -f "$DBDIR/virtuoso.lck"

cat > "$DBDIR/virtuoso.ini" <<EOF
[Database]
DatabaseFile        = $DBDIR/virtuoso.db
ErrorLogFile        = $DBDIR/virtuoso.log
LockFile            = $DBDIR/virtuoso.lck
TransactionFile     = $DBDIR/virtuoso.trx
xa_persistent_file  = $DBDIR/virtuoso.pxa
ErrorLogLevel       = 7
FileExtend          = 200
MaxCheckpointRemap  = 2000
Striping            = 0
TempStorage         = TempDatabase

[TempDatabase]
DatabaseFile        = $DBDIR/virtuoso-temp.db
TransactionFile     = $DBDIR/virtuoso-temp.trx
MaxCheckpointRemap  = 2000
Striping            = 0

[Parameters]
ServerPort          = 127.0.0.1:$SQL_PORT
LiteMode            = 0
DisableUnixSocket   = 1
DisableTcpSocket    = 0
MaxClientConnections = 10
CheckpointInterval  = 60
O_DIRECT            = 0
CaseMode            = 2
MaxStaticCursorRows = 5000
CheckpointAuditTrail = 0
AllowOSCalls        = 0
SchedulerInterval   = 10
DirsAllowed         = ., $DBDIR, /tmp
ThreadCleanupInterval = 0
ThreadThreshold     = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize   = 100000
SingleCPU           = 0
PrefixResultNames   = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps       = 64
MaxMemPoolSize      = 200000000
MaxQueryMem         = 1G
VectorSize          = 1000
MaxVectorSize       = 1000000
AdjustVectorSize    = 0
ThreadsPerQuery     = 4
AsyncQueueMaxThreads = 10
NumberOfBuffers     = 10000
MaxDirtyBuffers     = 6000

[HTTPServer]
ServerPort          = 127.0.0.1:$HTTP_PORT
ServerRoot          = $DBDIR/vsp
MaxClientConnections = 10
DavRoot             = DAV
EnabledDavVSP       = 0
HTTPProxyEnabled    = 0
TempASPXDir         = 0
ServerThreads       = 10
MaxKeepAlives       = 10
KeepAliveTimeout    = 10
MaxCachedProxyConnections = 10
ProxyConnectionCacheTimeout = 15
HTTPThreadSize      = 280000
HttpPrintWarningsInOutput = 0
Charset             = UTF-8
EnabledGzipContent  = 1

[AutoRepair]
BadParentLinks      = 0

[Client]
SQL_PREFETCH_ROWS   = 100
SQL_PREFETCH_BYTES  = 16000
SQL_QUERY_TIMEOUT   = 0
SQL_TXN_TIMEOUT     = 0

[URIQA]
DynamicLocal        = 0
DefaultHost         = 127.0.0.1:$HTTP_PORT

[SPARQL]
ResultSetMaxRows           = 100000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 60
DeferInferenceRulesInit    = 0
EOF

# +foreground keeps virtuoso-t as our direct child so its pid is known;
# setsid gives it its own session/process group (not killed with the caller's group).
cd "$DBDIR"
setsid "$VIRTUOSO_T" +foreground +configfile "$DBDIR/virtuoso.ini" \
  >"$DBDIR/virtuoso.stdout" 2>&1 </dev/null &
PID=$!
echo "$PID" > "$DBDIR/virtuoso.pid"

fail() {
  echo "start_virtuoso: $1" >&2
  tail -n 30 "$DBDIR/virtuoso.log" "$DBDIR/virtuoso.stdout" >&2 2>/dev/null || true
  kill "$PID" 2>/dev/null || true
  exit 1
}

deadline=$(( $(date +%s) + TIMEOUT ))
# 1) SQL listener up (isql answers a trivial statement)
until timeout 10 "$ISQL" "127.0.0.1:$SQL_PORT" dba dba "EXEC=select 1;" >/dev/null 2>&1; do
  alive "$PID" || fail "virtuoso-t exited during startup"
  [ "$(date +%s)" -lt "$deadline" ] || fail "SQL port $SQL_PORT not ready after ${TIMEOUT}s"
  sleep 0.5
done
# 2) HTTP /sparql answers 200
http_ok() {
  local url="http://127.0.0.1:$HTTP_PORT/sparql?query=ASK%7B%7D"
  if command -v curl >/dev/null; then
    [ "$(curl -s --noproxy '*' --max-time 5 -o /dev/null -w '%{http_code}' "$url" 2>/dev/null)" = 200 ]
  else
    python3 -c 'import sys,urllib.request as u; u.build_opener(u.ProxyHandler({})).open(sys.argv[1], timeout=5)' "$url" 2>/dev/null
  fi
}
until http_ok; do
  alive "$PID" || fail "virtuoso-t exited during startup"
  [ "$(date +%s)" -lt "$deadline" ] || fail "HTTP port $HTTP_PORT /sparql not ready after ${TIMEOUT}s"
  sleep 0.5
done
