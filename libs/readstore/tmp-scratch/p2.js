const ops = require('mingo/operators/update');
console.log(Object.keys(ops));
let t=Date.now(); for(let i=0;i<100000;i++){const d={_id:'x'+i,_position:i, name:'n', tags:['a']}; ops.$set({name:'m'+i,_position:i+1, 'address.city':'x'})(d); ops.$inc({n:1})(d); ops.$addToSet({tags:'b'})(d);} console.log('direct ms/100k',Date.now()-t);
const d={_id:'x', tags:['a','b',{x:1}]}; ops.$pull({tags:{x:1}})(d); console.log(d);
const d2={a:1}; ops.$addToSet({tags:{$each:['a','b']}})(d2); ops.$pull({tags:{$in:['a']}})(d2);console.log(d2);
const s=JSON.stringify({_id:'contact-123456', name:'Jane Doe', email:'jane.doe@example.com', phone:'+33612345678', company:'Acme Corp', tags:['vip','lead'], status:'active', owner:'user-12', createdAt:'2026-01-01T00:00:00.000Z', updatedAt:'2026-01-02T00:00:00.000Z', address:{city:'Paris', country:'FR'}, _position:123456});
t=Date.now(); for(let i=0;i<100000;i++){JSON.parse(s)} console.log('parse ms/100k',Date.now()-t, s.length);
const o=JSON.parse(s);t=Date.now(); for(let i=0;i<100000;i++){JSON.stringify(o)} console.log('stringify ms/100k',Date.now()-t);
