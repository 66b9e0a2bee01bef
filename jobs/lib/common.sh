# Shared by the scripts in jobs/: paths, Java 17 flags, and building the jars on demand. Source it, don't run it.
# shellcheck shell=bash

initsweep_home=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# Spark's module flags for Java 17, kept once in conf/java17.properties.
java17_flags() {
  sed -n 's/^java17\.flags=//p' "$initsweep_home/conf/java17.properties"
}

# True when $1 is missing or older than any source file or the pom.
stale() {
  [[ ! -f $1 ]] && return 0
  [[ -n $(find "$initsweep_home/src/main" "$initsweep_home/pom.xml" -newer "$1" -print -quit) ]]
}

# Maven 3.8's console library prints stray colour resets even in batch mode; strip them.
quiet_maven() {
  (cd "$initsweep_home" && mvn -B -q "$@" 2>&1 | sed 's/\x1b\[[0-9;]*m//g') >&2
}

# target/cluster/initsweep-cluster.jar (the spark-submit jar) and target/cluster/spark-classpath.txt (the jars a
# Spark installation provides), built with the cluster profile into their own directory.
cluster_jar="$initsweep_home/target/cluster/initsweep-cluster.jar"
spark_classpath="$initsweep_home/target/cluster/spark-classpath.txt"
ensure_cluster_jar() {
  if stale "$cluster_jar" || [[ ! -f $spark_classpath ]]; then
    echo "initsweep: building target/cluster/initsweep-cluster.jar (mvn -Pcluster package) ..." >&2
    quiet_maven -Pcluster -DskipTests package -Dinitsweep.build.directory="$initsweep_home/target/cluster"
  fi
}
