const {DatabaseSync}=require('node:sqlite');
const fs=require('fs');
const N=50000;
const docs=[];for(let i=0;i<N;i++)docs.push(JSON.stringify({_id:'c'+i, tenantId:'t1', firstName:'First'+(i%1000), lastName:'Last'+((i*7919)%N), email:`u${i}@ex.com`, emailAddresses:[`u${i}@ex.com`], status:['active','lead','lost'][i%3], tags:['a'], owner:'u'+(i%50), createdAt:new Date(1e12+i*1000).toISOString(), deleted:false, archived:false, searchKeys:['first'+(i%1000),'last'+i,`u${i}@ex.com`], _position:i}));
for (const mode of ['text','jsonb']) {
fs.rmSync('/tmp/raw-db',{force:true,recursive:true}); fs.mkdirSync('/tmp/raw-db');
const db=new DatabaseSync('/tmp/raw-db/db'); db.exec('PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536');
const col = mode==='text' ? 'doc TEXT' : 'doc BLOB';
db.exec(`CREATE TABLE c (_id TEXT PRIMARY KEY NOT NULL, ${col} NOT NULL)`);
const x=(p)=>`json_extract(doc,'$."${p}"')`;
db.exec(`CREATE INDEX i1 ON c(${x('tenantId')}, ${x('createdAt')} DESC, _id DESC); CREATE INDEX i2 ON c(${x('tenantId')}, ${x('lastName')}, _id); CREATE UNIQUE INDEX i3 ON c(${x('email')}, json_type(doc,'$."email"')); CREATE INDEX i4 ON c(${x('owner')}, _id); CREATE INDEX i5 ON c(${x('tenantId')}, ${x('emailAddresses')}, _id)`);
const ins=db.prepare(mode==='text'?'INSERT INTO c VALUES(?,?)':'INSERT INTO c VALUES(?,jsonb(?))');
let t=performance.now();
db.exec('BEGIN'); for(let i=0;i<N;i++){ ins.run('c'+String(i).padStart(6,'0'), docs[i]); } db.exec('COMMIT');
const insUs=((performance.now()-t)/N*1000).toFixed(1);
const sel=db.prepare(mode==='text'?'SELECT doc FROM c WHERE _id=?':'SELECT json(doc) AS doc FROM c WHERE _id=?');
t=performance.now(); for(let i=0;i<20000;i++){ JSON.parse(sel.get('c'+String(i).padStart(6,'0')).doc) } const selUs=((performance.now()-t)/20000*1000).toFixed(1);
const scan=db.prepare(`SELECT count(*) n FROM c WHERE (CASE json_type(doc,'$."emailAddresses"') WHEN 'array' THEN EXISTS (SELECT 1 FROM json_each(doc,'$."emailAddresses"') WHERE type='text' AND value IN (?)) ELSE 0 END)`);
t=performance.now(); scan.get('u77@ex.com'); const scanMs=(performance.now()-t).toFixed(0);
const scan2=db.prepare(`SELECT count(*) n FROM c WHERE json_extract(doc,'$."status"')='active'`);
t=performance.now(); scan2.get(); const scan2Ms=(performance.now()-t).toFixed(0);
const all=db.prepare(mode==='text'?'SELECT doc FROM c':'SELECT json(doc) AS doc FROM c');
t=performance.now(); let n=0; for (const r of all.iterate()) { JSON.parse(r.doc); n++; } const allMs=(performance.now()-t).toFixed(0);
console.log(mode, 'insert us', insUs, 'get+parse us', selUs, 'json_each scan ms', scanMs, 'extract scan ms', scan2Ms, 'read+parse all ms', allMs, 'size MB', (fs.statSync('/tmp/raw-db/db').size/1e6 + fs.statSync('/tmp/raw-db/db-wal').size/1e6).toFixed(1));
db.close();
}
