const { Context } = require('mingo');
const { Query } = require('mingo/query');
const queryOps = require('mingo/operators/query');
const projOps = require('mingo/operators/projection');
const exprOps = require('mingo/operators/expression');
const ctx = Context.init({ query: {...queryOps}, projection: {...projOps}, expression: {...exprOps} });
const ctx2 = Context.init({ query: {...queryOps} });
for (const [label, c] of [['q+p+e', ctx], ['q only', ctx2]]) {
let t=Date.now(); for(let i=0;i<100000;i++){ new Query({_id:'x'+i, _position:{$lt:5}}, {context:c}).test({_id:'x'+i,_position:i}); } console.log(label, 'ms/100k', Date.now()-t);
}
console.log(new Query({name:{$regex:'^ab',$options:'i'}, $expr:{$gt:['$a',1]}}, {context:ctx}).test({name:'ABx', a:2}));
const M=require('mingo'); let t=Date.now(); for(let i=0;i<100000;i++){ new M.Query({_id:'x'+i, _position:{$lt:5}}).test({_id:'x'+i,_position:i}); } console.log('index Query ms/100k', Date.now()-t);
