const {DatabaseSync}=require('node:sqlite');
const fs=require('fs');
fs.rmSync('/tmp/raw-db',{force:true,recursive:true}); fs.mkdirSync('/tmp/raw-db');
const db=new DatabaseSync('/tmp/raw-db/db');
db.exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536');
db.exec("CREATE TABLE c (_id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL)");
const ins=db.prepare('INSERT INTO c (_id, doc) VALUES(?,?)');
const sel=db.prepare('SELECT doc FROM "c" WHERE _id IN (?) AND 1 ORDER BY rowid LIMIT ? OFFSET ?');
const N=50000;
const doc=(i)=>JSON.stringify({_id:'c'+i, tenantId:'t1', firstName:'First'+(i%1000), lastName:'Last'+i, email:`u${i}@ex.com`, emailAddresses:[`u${i}@ex.com`], status:'active', tags:['a'], owner:'u1', createdAt:new Date(1e12+i*1000).toISOString(), deleted:false, archived:false, searchKeys:['a','b','c'], _position:i});
let t=performance.now();
for (let b=0;b<N;b+=5000){ db.exec('BEGIN IMMEDIATE'); for(let i=b;i<b+5000;i++){ const id='c'+String(i).padStart(6,'0'); sel.all(id,1,0); ins.run(id, doc(i)); } db.exec('COMMIT'); }
console.log('select+insert in tx us', ((performance.now()-t)/N*1000).toFixed(1));
fs.rmSync('/tmp/raw-db',{force:true,recursive:true}); fs.mkdirSync('/tmp/raw-db');
