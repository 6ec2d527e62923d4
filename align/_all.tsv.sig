model:use-m3|mode:comparable(auto)|max:auto|seg:punkt-ar+punkt-en|src:ar|tgt:en|v:0.1.0
