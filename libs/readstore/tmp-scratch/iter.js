const {DatabaseSync}=require('node:sqlite');
const db=new DatabaseSync(':memory:');
db.exec("CREATE TABLE c (_id TEXT PRIMARY KEY, doc BLOB)"); const ins=db.prepare('INSERT INTO c VALUES(?, jsonb(?))');
for(let i=0;i<10000;i++) ins.run('c'+i, JSON.stringify({a:i, _position: i}));
const s=db.prepare("SELECT json(doc) AS doc FROM c WHERE _id IN (?) AND 1");
let t=performance.now(); for(let i=0;i<20000;i++){ for (const r of s.iterate('c'+(i%10000))) { JSON.parse(r.doc); break; } } console.log('iterate+break us', ((performance.now()-t)/20).toFixed(2));
t=performance.now(); for(let i=0;i<20000;i++){ for (const r of s.iterate('c'+(i%10000))) { JSON.parse(r.doc); } } console.log('iterate full us', ((performance.now()-t)/20).toFixed(2));
t=performance.now(); for(let i=0;i<20000;i++){ for (const r of s.all('c'+(i%10000))) { JSON.parse(r.doc); } } console.log('all us', ((performance.now()-t)/20).toFixed(2));
t=performance.now(); for(let i=0;i<20000;i++){ const r = s.get('c'+(i%10000)); JSON.parse(r.doc); } console.log('get us', ((performance.now()-t)/20).toFixed(2));
