import { gzipSync } from 'zlib';

/**
 * A gzipped ustar archive of regular files (mode 644, a fixed mtime), as `npm pack` and `cargo package`
 * write them: what the local repositories serve as npm tarballs and .crate files.
 */
export function tarGzip(entries: ReadonlyArray<[string, Buffer]>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, data] of entries) {
    const header = Buffer.alloc(512);
    header.write(name, 0, 100, 'utf8');
    header.write('0000644\0', 100);
    header.write('0000000\0', 108);
    header.write('0000000\0', 116);
    header.write(data.length.toString(8).padStart(11, '0') + '\0', 124);
    header.write('14254201000\0', 136); // a fixed mtime (1985-10-26, as npm pack uses)
    header.write('        ', 148); // checksum placeholder
    header.write('0', 156);
    header.write('ustar\0', 257);
    header.write('00', 263);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}
