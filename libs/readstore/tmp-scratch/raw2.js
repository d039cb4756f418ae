const {DatabaseSync}=require('node:sqlite');
const fs=require('fs');
for (const mode of ['memory','wal','wal-excl','delete-excl','wal-mmap']) {
fs.rmSync('/tmp/raw-db',{force:true,recursive:true}); fs.mkdirSync('/tmp/raw-db');
const db=new DatabaseSync(mode==='memory'?':memory:':'/tmp/raw-db/db');
if (mode.includes('excl')) db.exec('PRAGMA locking_mode=EXCLUSIVE');
if (mode.startsWith('wal')) db.exec('PRAGMA journal_mode=WAL');
if (mode.startsWith('delete')) db.exec('PRAGMA journal_mode=DELETE');
if (mode==='wal-mmap') db.exec('PRAGMA mmap_size=268435456');
db.exec('PRAGMA synchronous=NORMAL');
db.exec("CREATE TABLE c (_id TEXT PRIMARY KEY, doc TEXT NOT NULL)");
const ins=db.prepare('INSERT INTO c VALUES(?,?)');
let t=performance.now(); for(let i=0;i<5000;i++){ins.run('a'+i,'{"x":1}')} const a=((performance.now()-t)/5).toFixed(1);
const sel=db.prepare('SELECT doc FROM c WHERE _id=?');
t=performance.now(); for(let i=0;i<20000;i++){sel.get('a'+(i%5000))} const s=((performance.now()-t)/20).toFixed(1);
db.exec('BEGIN');t=performance.now(); for(let i=0;i<20000;i++){sel.get('a'+(i%5000))} const s2=((performance.now()-t)/20).toFixed(1);db.exec('COMMIT');
console.log(mode, 'insert us', a, 'select us', s, 'select in tx us', s2);
db.close();
}
