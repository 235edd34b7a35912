# Sourced by bin/pktstack and bin/vm: the device root when --root is not given.
default_root() {
  if [ -n "${PKTSTACK_ROOT:-}" ]; then echo "$PKTSTACK_ROOT"
  elif [ -n "${XDG_RUNTIME_DIR:-}" ]; then echo "$XDG_RUNTIME_DIR/pktstack"
  else echo "/tmp/pktstack-$(id -u)"; fi
}
