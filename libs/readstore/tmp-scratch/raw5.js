const {DatabaseSync}=require('node:sqlite');
const fs=require('fs');
for (const ac of [1000, 10000, 0]) for (const sync of ['NORMAL','OFF']) {
fs.rmSync('/tmp/raw-db',{force:true,recursive:true}); fs.mkdirSync('/tmp/raw-db');
const db=new DatabaseSync('/tmp/raw-db/db'); db.exec(`PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL; PRAGMA synchronous=${sync}; PRAGMA wal_autocheckpoint=${ac}`);
db.exec("CREATE TABLE c (_id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL); CREATE INDEX a ON c(json_extract(doc,'$.email'), _id); CREATE INDEX b ON c(json_extract(doc,'$.owner'), _id)");
const ins=db.prepare('INSERT INTO c (_id, doc) VALUES(?,?)');
let t=performance.now();
for(let i=0;i<5000;i++){ ins.run('n'+i, JSON.stringify({_id:'n'+i, email:`n${i}@ex.com`, owner:'u'+(i%50)})); }
console.log('autocheckpoint', ac, 'sync', sync, ((performance.now()-t)/5).toFixed(1),'us');
db.close();
}
