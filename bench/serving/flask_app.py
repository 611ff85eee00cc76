# The serving side of the "ADS way" peer: a Flask app that, like the OCI inference
# server for conda deployments, parses the JSON body and calls score.predict, under
# gunicorn (bench/serving/run.sh starts `gunicorn -w <cores> flask_app:app`).
import json

from flask import Flask, Response, request

import score

app = Flask(__name__)


@app.post("/predict")
def predict():
    data = request.get_data()
    if request.mimetype in ("application/json", "text/json", ""):
        data = json.loads(data)
    return Response(json.dumps(score.predict(data)), mimetype="application/json")
