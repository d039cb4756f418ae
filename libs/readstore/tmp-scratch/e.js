const {DatabaseSync}=require('node:sqlite');
const db=new DatabaseSync(':memory:');
db.exec("CREATE TABLE c (_id TEXT PRIMARY KEY, doc TEXT NOT NULL); CREATE UNIQUE INDEX u ON c(json_extract(doc,'$.email'), json_type(doc,'$.email'))");
db.prepare('INSERT INTO c VALUES(?,?)').run('a','{"email":"x","f":"v","g":true}');
try{db.prepare('INSERT INTO c VALUES(?,?)').run('a','{}')}catch(e){console.log({...e, message:e.message})}
try{db.prepare('INSERT INTO c VALUES(?,?)').run('b','{"email":"x"}')}catch(e){console.log({...e, message:e.message})}
console.log(db.prepare("SELECT value, type FROM json_each('{\"f\":\"v\"}','$.f')").all());
console.log(db.prepare("SELECT value, type FROM json_each('{\"f\":true}','$.f')").all());
console.log(db.prepare("SELECT value, type FROM json_each('{\"f\":null}','$.f')").all());
console.log(db.prepare("SELECT value, type FROM json_each('{}','$.f')").all());
console.log(db.isTransaction);
db.exec("CREATE INDEX n ON c(json_extract(doc,'$.name'), _id)");
console.log(db.prepare("EXPLAIN QUERY PLAN SELECT _id FROM c WHERE json_extract(doc,'$.name') >= ? AND (json_extract(doc,'$.name') > ? OR (json_extract(doc,'$.name') = ? AND _id > ?)) ORDER BY json_extract(doc,'$.name'), _id LIMIT 5").all(1,1,1,1).map(r=>r.detail));
console.log(db.prepare("EXPLAIN QUERY PLAN SELECT _id FROM c WHERE json_extract(doc,'$.name') <= ? AND (json_extract(doc,'$.name') < ? OR (json_extract(doc,'$.name') = ? AND _id < ?)) ORDER BY json_extract(doc,'$.name') DESC, _id DESC LIMIT 5").all(1,1,1,1).map(r=>r.detail));
console.log(db.prepare("EXPLAIN QUERY PLAN SELECT _id FROM c WHERE json_extract(doc,'$.name') IS NULL AND _id > ? ORDER BY json_extract(doc,'$.name'), _id LIMIT 5").all(1).map(r=>r.detail));
console.log(db.prepare("EXPLAIN QUERY PLAN SELECT _id FROM c WHERE json_extract(doc,'$.name') LIKE ? ESCAPE '\\' ORDER BY json_extract(doc,'$.name'), _id LIMIT 5").all('a%').map(r=>r.detail));
console.log(db.prepare("EXPLAIN QUERY PLAN SELECT _id FROM c WHERE json_extract(doc,'$.email') = ? AND json_extract(doc,'$.name') > ? ORDER BY json_extract(doc,'$.name'), _id LIMIT 5").all(1,1).map(r=>r.detail));
console.log(db.prepare("PRAGMA data_version").get());
