// Every Go tool the tests start (kube-apiserver, etcd, helm, opa, containerd, ...) collects garbage
// four times less often: they are short-lived, the machine has memory to spare, and a kube-apiserver
// start-up spent about a quarter of its CPU in the collector (2.3 s -> 1.7 s per simulation).
// An explicit GOGC in the environment wins.
process.env.GOGC ??= '400';
