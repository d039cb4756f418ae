const {DatabaseSync}=require('node:sqlite');
const fs=require('fs');
function fresh(){ fs.rmSync('/tmp/raw-db',{force:true,recursive:true}); fs.mkdirSync('/tmp/raw-db');
const db=new DatabaseSync('/tmp/raw-db/db'); db.exec('PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536');
db.exec("CREATE TABLE c (_id TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL)"); return db;}
const N=50000;
const docs=[];for(let i=0;i<N;i++)docs.push(JSON.stringify({_id:'c'+i, tenantId:'t1', firstName:'First'+(i%1000), lastName:'Last'+i, email:`u${i}@ex.com`, emailAddresses:[`u${i}@ex.com`], status:'active', tags:['a'], owner:'u1', createdAt:new Date(1e12+i*1000).toISOString(), deleted:false, archived:false, searchKeys:['a','b','c'], _position:i}));
const ids=[];for(let i=0;i<N;i++)ids.push('c'+String(i).padStart(6,'0'));
for (const variant of ['insert-only','select-rowid+insert','select-plain+insert','select-get+insert']) {
const db=fresh(); const ins=db.prepare('INSERT INTO c (_id, doc) VALUES(?,?)');
const selR=db.prepare('SELECT doc FROM "c" WHERE _id IN (?) AND 1 ORDER BY rowid LIMIT ? OFFSET ?');
const selP=db.prepare('SELECT doc FROM "c" WHERE _id = ?');
let t=performance.now();
for (let b=0;b<N;b+=5000){ db.exec('BEGIN IMMEDIATE'); for(let i=b;i<b+5000;i++){
  if (variant==='select-rowid+insert') selR.all(ids[i],1,0);
  if (variant==='select-plain+insert') selP.all(ids[i]);
  if (variant==='select-get+insert') selP.get(ids[i]);
  ins.run(ids[i], docs[i]); } db.exec('COMMIT'); }
console.log(variant, ((performance.now()-t)/N*1000).toFixed(1),'us');
db.close();
}
