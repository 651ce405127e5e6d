// Tests must run on the Node that GitHub runs actions on (node24), not the machine's system Node.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `Node ${process.version} is on PATH; run through npm scripts so node_modules/.bin/node (24) is used.`,
  );
  process.exit(1);
}
