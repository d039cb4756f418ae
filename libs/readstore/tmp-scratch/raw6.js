const {DatabaseSync}=require('node:sqlite');
const fs=require('fs');
const N=100000;
const doc=(i,s)=>JSON.stringify({_id:'c'+i, tenantId:'t1', firstName:'First'+(i%1000), lastName:'Last'+((i*7919)%N), email:`u${i}@ex.com`, emailAddresses:[`u${i}@ex.com`], status:s, tags:['a'], owner:'u'+(i%50), createdAt:new Date(1e12+i*1000).toISOString(), deleted:false, archived:false, _position:i});
for (const variant of ['5idx','5idx+trigger','5idx+trigger+bigcache','noidx']) {
fs.rmSync('/tmp/raw-db',{force:true,recursive:true}); fs.mkdirSync('/tmp/raw-db');
const db=new DatabaseSync('/tmp/raw-db/db'); db.exec('PRAGMA locking_mode=EXCLUSIVE; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=' + (variant.includes('bigcache')?-262144:-65536));
db.exec(`CREATE TABLE c (_id TEXT PRIMARY KEY NOT NULL, doc BLOB NOT NULL)`);
const x=(p)=>`json_extract(doc,'$."${p}"')`;
if (!variant.startsWith('noidx')) db.exec(`CREATE INDEX i1 ON c(${x('tenantId')}, ${x('createdAt')} DESC, _id DESC); CREATE INDEX i2 ON c(${x('tenantId')}, ${x('lastName')}, _id); CREATE UNIQUE INDEX i3 ON c(${x('email')}, json_type(doc,'$."email"')); CREATE INDEX i4 ON c(${x('owner')}, _id); CREATE INDEX i5 ON c(${x('tenantId')}, ${x('emailAddresses')}, _id)`);
if (variant.includes('trigger')) db.exec(`CREATE TABLE e (value NOT NULL, type TEXT NOT NULL, _id TEXT NOT NULL, PRIMARY KEY (value, type, _id)) WITHOUT ROWID; CREATE INDEX e_id ON e(_id);
CREATE TRIGGER tu AFTER UPDATE OF doc ON c WHEN json_extract(OLD.doc, '$."emailAddresses"') IS NOT json_extract(NEW.doc, '$."emailAddresses"') BEGIN DELETE FROM e WHERE _id = OLD._id; INSERT OR IGNORE INTO e SELECT value, type, NEW._id FROM json_each(NEW.doc, '$."emailAddresses"') WHERE type NOT IN ('null','array','object'); END;
CREATE TRIGGER ti AFTER INSERT ON c BEGIN INSERT OR IGNORE INTO e SELECT value, type, NEW._id FROM json_each(NEW.doc, '$."emailAddresses"') WHERE type NOT IN ('null','array','object'); END;`);
const ins=db.prepare('INSERT INTO c VALUES(?,jsonb(?))');
db.exec('BEGIN'); for(let i=0;i<N;i++){ ins.run('c'+String(i).padStart(6,'0'), doc(i,'a')); } db.exec('COMMIT');
const upd=db.prepare('UPDATE c SET doc = jsonb(?) WHERE _id = ?');
const docs=[];for(let i=0;i<20000;i++)docs.push(doc(i,'x'));
let t=performance.now();
db.exec('BEGIN'); for(let i=0;i<20000;i++){ upd.run(docs[i], 'c'+String(i).padStart(6,'0')); } db.exec('COMMIT');
console.log(variant, 'update in tx us', ((performance.now()-t)/20).toFixed(1));
db.close();
}
