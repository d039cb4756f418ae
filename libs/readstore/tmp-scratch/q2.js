const {DatabaseSync}=require('node:sqlite');
const db=new DatabaseSync(':memory:');
db.exec("CREATE TABLE c (_id TEXT PRIMARY KEY NOT NULL, doc BLOB NOT NULL)"); const ins=db.prepare('INSERT INTO c VALUES(?, jsonb(?))');
for(let i=0;i<5000;i++) ins.run('counter-'+i, JSON.stringify({_id:'counter-'+i, total:i, _position: i}));
const guard = `NOT COALESCE((CASE json_type(doc, '$."_position"') WHEN 'array' THEN EXISTS (SELECT 1 FROM json_each(doc, '$."_position"') WHERE type IN ('integer', 'real') AND value >= ?) ELSE (json_type(doc, '$."_position"') IN ('integer', 'real') AND json_extract(doc, '$."_position"') >= ?) END), 0)`;
const guard2 = `NOT COALESCE((json_type(doc, '$."_position"') IN ('integer', 'real') AND json_extract(doc, '$."_position"') >= ?), 0)`;
const variants = {
  eq: ["SELECT json(doc) AS doc FROM c WHERE _id = ?", (i)=>['counter-'+i]],
  in: ["SELECT json(doc) AS doc FROM c WHERE _id IN (?)", (i)=>['counter-'+i]],
  inLimit: ["SELECT json(doc) AS doc FROM c WHERE _id IN (?) LIMIT ? OFFSET ?", (i)=>['counter-'+i, 1, 0]],
  guardCase: [`SELECT json(doc) AS doc FROM c WHERE _id IN (?) AND ${guard} LIMIT ? OFFSET ?`, (i)=>['counter-'+i, 10, 10, 1, 0]],
  guardNoCase: [`SELECT json(doc) AS doc FROM c WHERE _id IN (?) AND ${guard2} LIMIT ? OFFSET ?`, (i)=>['counter-'+i, 10, 1, 0]],
  rawDoc: ["SELECT doc FROM c WHERE _id = ?", (i)=>['counter-'+i]],
};
for (const [name,[sql,args]] of Object.entries(variants)) { const st=db.prepare(sql); let t=performance.now(); for(let i=0;i<50000;i++){ st.all(...args(i%5000)); } console.log(name, ((performance.now()-t)/50).toFixed(2),'us'); }
