/**
 * A gzip container holding the input in stored (uncompressed) deflate blocks.
 *
 * Why not zlib.gzipSync: rendered bundles must be byte-identical on every machine, and deflate
 * output depends on the zlib build (Node bundles Chromium's zlib, whose hashing changes with CPU
 * features) and the gzip header carries an OS byte. Stored blocks are fully specified by RFC 1951,
 * and every gzip reader (Kata's shim and agent included) accepts them. Initdata documents are a few
 * KiB, so the missing compression costs little of the 256 KiB annotation budget.
 * @see https://www.rfc-editor.org/rfc/rfc1952 (gzip) and rfc1951 section 3.2.4 (stored blocks)
 */
import { crc32 } from 'node:zlib';

/** Largest payload of one stored block (LEN is 16 bits). */
const MAX_STORED = 0xffff;

export function gzipStored(data: Buffer): Buffer {
  // ID1 ID2, CM=8 (deflate), FLG=0, MTIME=0, XFL=0, OS=255 (unknown): no timestamp, no platform.
  const header = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff]);
  const blocks: Buffer[] = [];
  let offset = 0;
  do {
    const chunk = data.subarray(offset, offset + MAX_STORED);
    offset += chunk.length;
    const head = Buffer.alloc(5);
    head[0] = offset >= data.length ? 0x01 : 0x00; // BFINAL, BTYPE=00 (stored), padded to the byte
    head.writeUInt16LE(chunk.length, 1);
    head.writeUInt16LE(~chunk.length & 0xffff, 3);
    blocks.push(head, chunk);
  } while (offset < data.length);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data) >>> 0, 0);
  trailer.writeUInt32LE(data.length >>> 0, 4);
  return Buffer.concat([header, ...blocks, trailer]);
}
