# Sourced by deploy/local/services (single node) and deploy/local/cluster (three brokers, three nodes):
# the shared downloads and distributions under NEWSFLOW_HOME, Java lookup, the analysis plugin, and
# small process helpers. The caller sets HERE (deploy/local) and TAG (its name in messages).
KAFKA_VERSION=${NEWSFLOW_KAFKA_VERSION:-4.4.0}
ES_VERSION=${NEWSFLOW_ES_VERSION:-9.5.4}
READY_TIMEOUT=${NEWSFLOW_READY_TIMEOUT:-180}
ES_RUN_USER=${NEWSFLOW_ES_USER:-newsflow}

if [ "$(id -u)" = 0 ]; then default_home=/var/lib/newsflow; else default_home=${XDG_CACHE_HOME:-$HOME/.cache}/newsflow; fi
NEWSFLOW_HOME=${NEWSFLOW_HOME:-$default_home}
M2=$NEWSFLOW_HOME/downloads/m2
KAFKA_DIST=$NEWSFLOW_HOME/dist/kafka-$KAFKA_VERSION
ES_DIST=$NEWSFLOW_HOME/dist/elasticsearch-$ES_VERSION
PLUGIN_SRC=$(cd "$HERE/../elasticsearch-plugin" && pwd)
PLUGIN_NAME=newsflow-analysis
PLUGIN_BUILD=$NEWSFLOW_HOME/build/elasticsearch-plugin
PLUGIN_STAMP=$ES_DIST/.$PLUGIN_NAME.digest  # digest of the sources of the installed plugin

say() { printf '[%s] %s\n' "$TAG" "$*"; }
die() { printf '[%s] error: %s\n' "$TAG" "$*" >&2; exit 1; }

java_major() { # prints the major version of the java binary $1
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1
}

kafka_java() {
  local java=${JAVA_HOME:+$JAVA_HOME/bin/}java
  command -v "$java" >/dev/null 2>&1 || die "no Java found (need Java 17+ for Kafka): install a JDK or set JAVA_HOME"
  local major; major=$(java_major "$java")
  [ "${major:-0}" -ge 17 ] || die "Kafka $KAFKA_VERSION needs Java 17+, $java is Java ${major:-unknown}"
  echo "$java"
}

es_java_home() { # Elasticsearch 9 needs Java 21+: NEWSFLOW_ES_JAVA_HOME, else the newest JDK under /usr/lib/jvm
  if [ -n "${NEWSFLOW_ES_JAVA_HOME:-}" ]; then
    [ -x "$NEWSFLOW_ES_JAVA_HOME/bin/java" ] || die "NEWSFLOW_ES_JAVA_HOME=$NEWSFLOW_ES_JAVA_HOME has no bin/java"
    echo "$NEWSFLOW_ES_JAVA_HOME"; return
  fi
  local best="" best_major=0 home major
  for home in /usr/lib/jvm/* ${JAVA_HOME:+"$JAVA_HOME"}; do
    [ -x "$home/bin/java" ] || continue
    major=$(java_major "$home/bin/java"); major=${major:-0}
    if [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then best=$home; best_major=$major; fi
  done
  [ -n "$best" ] || die "Elasticsearch $ES_VERSION needs Java 21+; none found under /usr/lib/jvm (set NEWSFLOW_ES_JAVA_HOME)"
  echo "$best"
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

mvn_fetch() { # mvn_fetch WHAT ARGS...: resolve from Maven Central into the project's own Maven cache
  local what=$1; shift
  command -v mvn >/dev/null 2>&1 || die "Maven (mvn) is needed to download $what"
  if ! mvn -B -q -Dmaven.repo.local="$M2" "$@" >"$NEWSFLOW_HOME/downloads/mvn.log" 2>&1; then
    tail -n 20 "$NEWSFLOW_HOME/downloads/mvn.log" >&2
    die "Maven failed on $what (Maven Central unreachable, a version missing, or a build error); see $NEWSFLOW_HOME/downloads/mvn.log"
  fi
}

install_kafka() {
  [ -f "$KAFKA_DIST/.complete" ] && return
  say "downloading Apache Kafka $KAFKA_VERSION (kafka_2.13 and runtime dependencies) from Maven Central"
  mkdir -p "$NEWSFLOW_HOME/downloads" && rm -rf "$KAFKA_DIST"
  mvn_fetch "Kafka $KAFKA_VERSION" -f "$HERE/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_DIST/libs"
  touch "$KAFKA_DIST/.complete"
}

install_elasticsearch() {
  [ -f "$ES_DIST/.complete" ] && return
  say "downloading Elasticsearch $ES_VERSION (integ-test-zip) from Maven Central"
  mkdir -p "$NEWSFLOW_HOME/downloads" "$NEWSFLOW_HOME/dist" && rm -rf "$ES_DIST"
  mvn_fetch "Elasticsearch $ES_VERSION" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip" \
    -DoutputDirectory="$NEWSFLOW_HOME/downloads"
  command -v unzip >/dev/null 2>&1 || die "unzip is needed to unpack Elasticsearch (apt-get install unzip)"
  unzip -q -o "$NEWSFLOW_HOME/downloads/elasticsearch-$ES_VERSION.zip" -d "$NEWSFLOW_HOME/dist"
  touch "$ES_DIST/.complete"
}

plugin_digest() { # digest of the plugin's sources: a change rebuilds and reinstalls it
  (cd "$PLUGIN_SRC" && find pom.xml src -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16
}

install_plugin() { # install_plugin JAVA_HOME: the current plugin in the (stopped) node's distribution
  local jhome=$1 digest; digest=$(plugin_digest)
  [ -d "$ES_DIST/plugins/$PLUGIN_NAME" ] && [ "$(cat "$PLUGIN_STAMP" 2>/dev/null)" = "$digest" ] && return
  local zip=$PLUGIN_BUILD/$digest/$PLUGIN_NAME.zip
  if [ ! -f "$zip" ]; then # built once per source digest
    say "building the $PLUGIN_NAME Elasticsearch plugin ($digest) with Maven"
    rm -rf "${PLUGIN_BUILD:?}/$digest"
    JAVA_HOME=$jhome mvn_fetch "the $PLUGIN_NAME plugin's build" -f "$PLUGIN_SRC/pom.xml" \
      -Dnewsflow.build.directory="$PLUGIN_BUILD/$digest/target" -Delasticsearch.version="$ES_VERSION" package
    cp "$PLUGIN_BUILD/$digest/target/$PLUGIN_NAME"-*-plugin.zip "$zip"
  fi
  local tool=(env "ES_JAVA_HOME=$jhome" "$ES_DIST/bin/elasticsearch-plugin")
  if [ -d "$ES_DIST/plugins/$PLUGIN_NAME" ]; then "${tool[@]}" remove --silent "$PLUGIN_NAME" >/dev/null; fi
  "${tool[@]}" install --batch --silent "file://$zip" >"$PLUGIN_BUILD/install.log" 2>&1 \
    || { cat "$PLUGIN_BUILD/install.log" >&2; die "installing the $PLUGIN_NAME plugin failed"; }
  echo "$digest" >"$PLUGIN_STAMP"
  say "installed the $PLUGIN_NAME plugin ($digest) into Elasticsearch $ES_VERSION"
}

plugin_state() { # installed and current | outdated | missing, for the node's distribution
  if [ ! -d "$ES_DIST/plugins/$PLUGIN_NAME" ]; then echo missing
  elif [ "$(cat "$PLUGIN_STAMP" 2>/dev/null)" = "$(plugin_digest)" ]; then echo "installed and current"
  else echo "outdated (sources changed: 'up' rebuilds and reinstalls it, restarting the node)"; fi
}

fill() { # fill TEMPLATE OUT KEY=VALUE...
  local template=$1 out=$2; shift 2
  local text; text=$(cat "$template")
  local kv
  for kv in "$@"; do text=${text//@${kv%%=*}@/${kv#*=}}; done
  printf '%s\n' "$text" >"$out"
}

as_es_user() { # Elasticsearch refuses root: run it as a dedicated system user when we are root
  if [ "$(id -u)" = 0 ]; then
    id -u "$ES_RUN_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$ES_RUN_USER"
    runuser -u "$ES_RUN_USER" -- "$@"
  else
    "$@"
  fi
}

wait_for() { # wait_for NAME SECONDS COMMAND...
  local name=$1 timeout=$2; shift 2
  local start=$SECONDS
  until "$@"; do
    [ $((SECONDS - start)) -lt "$timeout" ] || return 1
    sleep 1
  done
  say "$name ready after $((SECONDS - start))s"
}

stop_pid() { # stop_pid NAME PIDFILE
  local name=$1 pidfile=$2
  if ! pid_alive "$pidfile"; then rm -f "$pidfile"; say "$name not running"; return; fi
  local pid; pid=$(cat "$pidfile")
  kill "$pid"
  local i
  for i in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then say "$name did not stop in 30s, killing"; kill -9 "$pid"; fi
  rm -f "$pidfile"
  say "$name stopped"
}
