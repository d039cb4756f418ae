const {DatabaseSync}=require('node:sqlite');
const db=new DatabaseSync(':memory:');
db.exec("CREATE TABLE t(a); INSERT INTO t VALUES (1),(2),(3)");
const s=db.prepare('SELECT a FROM t ORDER BY a');
for (const r of s.iterate()) { if (r.a===2) break; }
console.log(s.all());
const it=s.iterate(); console.log(typeof it.return, it.next());
const it2=s.iterate(); console.log(it2.next(), it.next());
