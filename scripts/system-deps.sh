#!/usr/bin/env bash
# Debian packages the tests need, installed when missing (npm's pretest step, so
# `npm test` passes on a fresh machine by itself): chromium for the explorer's
# browser test (test/web/), redis-server for the sweep queue's test (test/sweep/),
# dataset-fashion-mnist for NetAdapt's Fashion-MNIST runs. Quiet when everything
# is there.
set -uo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ] || need+=(redis-server)
[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ] || need+=(dataset-fashion-mnist)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "dnnergy pretest: missing Debian packages ${need[*]} (install them as root: apt-get install ${need[*]})" >&2
  exit 1
fi
echo "dnnergy pretest: installing ${need[*]} (Debian)" >&2
{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"; } >/tmp/dnnergy-apt.log 2>&1 || { cat /tmp/dnnergy-apt.log >&2; exit 1; }
