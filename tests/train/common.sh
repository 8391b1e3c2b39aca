# Shared by the training tests: a small, fast version of recipes/reverse.yaml.
tiny=(--set data.toy.train_size=3000 --set data.toy.dev_size=100 --set data.toy.test_size=100
      --set data.toy.symbols=10 --set data.toy.max_length=8 --set model.embed=32 --set model.hidden=32
      --set training.steps=400 --set training.epochs=0 --set validation.every=200 --set training.log_every=50
      --set checkpoint.every=7 --set model.dropout=0.1)
fail() { echo "FAIL: $*"; exit 1; }
# json_field FILE KEY: the value of a top-level key of a small JSON file.
json_field() { sed -n "s/^  \"$2\": \(.*\),\{0,1\}$/\1/p" "$1" | sed 's/,$//'; }
