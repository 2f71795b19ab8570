// Every Go tool the tests start (kube-apiserver, etcd, helm, opa, containerd, kubectl, ...)
// collects garbage only near 1 GiB of heap: they are short-lived, the suite keeps both cores busy
// anyway (a collection only adds CPU), and the machine has memory to spare. Measured on a simulation: 4.1-5.1 s of CPU with GOGC=400 alone, 3.6-3.8 s like
// this. Explicit values in the environment win.
process.env.GOGC ??= 'off';
process.env.GOMEMLIMIT ??= '1GiB';

