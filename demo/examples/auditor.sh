# In the folder `npm run demo -- --out DIR` kept (`yishi` is `npx yishi` in the repository).
yishi export --data data --out export.jsonl   # the operator hands over the whole ledger
yishi verify export.jsonl --vkey log.vkey      # integrity: chain, signatures, tree, checkpoints
yishi audit export.jsonl --vkey log.vkey       # the same, then replay under the rules P1–P16
