"""Writes a users file in Auth0's bulk-import schema, one user per password
hash algorithm Auth0 accepts, each hash made with that algorithm's reference
implementation (CPython's hashlib and hmac, pyca's bcrypt, argon2-cffi over
the reference C argon2, pycryptodome's MD4). Prints one JSON object:
{"users": [...], "passwords": {email: password}}. The Rust test
(tests/http/user_import.rs) uploads the users and signs each one in.
"""
import base64
import hashlib
import hmac
import json
import os

import argon2
import bcrypt
from Crypto.Hash import MD4


def b64(b):
    return base64.b64encode(b).decode()


def b64_nopad(b):
    return b64(b).rstrip("=")


users, passwords = [], {}


def add(name, password, user):
    email = f"{name}@import.example"
    user = {"email": email, "user_id": f"auth0|imp-{name}", **user}
    users.append(user)
    passwords[email] = password


def custom(algorithm, **fields):
    return {"custom_password_hash": {"algorithm": algorithm, **fields}}


salt = os.urandom(12)

pw = "Bcrypt-plain-1"
add("bcrypt-plain", pw, {"password_hash": bcrypt.hashpw(pw.encode(), bcrypt.gensalt(10)).decode()})

pw = "Bcrypt-salted-2"
add("bcrypt-salted", pw, custom(
    "bcrypt",
    hash={"value": bcrypt.hashpw(pw.encode() + b"pepper", bcrypt.gensalt(10)).decode()},
    salt={"value": "pepper", "position": "suffix"},
))

pw = "Argon2id-3"
add("argon2id", pw, custom("argon2", hash={"value": argon2.PasswordHasher(
    time_cost=2, memory_cost=65536, parallelism=1, type=argon2.Type.ID).hash(pw), "encoding": "utf8"}))

pw = "Argon2i-4"
add("argon2i", pw, custom("argon2", hash={"value": argon2.PasswordHasher(
    time_cost=3, memory_cost=4096, parallelism=2, type=argon2.Type.I).hash(pw)}))

pw = "Hmac-sha256-5"
key = os.urandom(16)
add("hmac", pw, custom("hmac", hash={
    "value": b64(hmac.new(key, pw.encode(), hashlib.sha256).digest()),
    "encoding": "base64", "digest": "sha256", "key": {"value": key.hex(), "encoding": "hex"}}))

pw = "Ldap-ssha512-6"
add("ldap-ssha512", pw, custom("ldap", hash={
    "value": "{SSHA512}" + b64(hashlib.sha512(pw.encode() + salt).digest() + salt)}))

pw = "Ldap-sha-7"
add("ldap-sha", pw, custom("ldap", hash={"value": "{SHA}" + b64(hashlib.sha1(pw.encode()).digest())}))

pw = "Md4-8"
add("md4", pw, custom("md4", hash={"value": b64(MD4.new(pw.encode()).digest()), "encoding": "base64"}))

pw = "Md5-prefix-9"
add("md5", pw, custom("md5", hash={"value": hashlib.md5(salt + pw.encode()).hexdigest().upper(), "encoding": "hex"},
                      salt={"value": salt.hex(), "encoding": "hex", "position": "prefix"}))

pw = "Sha1-utf16-10é"
add("sha1", pw, custom("sha1", hash={"value": b64(hashlib.sha1(pw.encode("utf-16-le") + b"tail").digest()),
                                     "encoding": "base64"},
                       salt={"value": "tail", "position": "suffix"}, password={"encoding": "utf16le"}))

pw = "Sha256-11"
add("sha256", pw, custom("sha256", hash={"value": hashlib.sha256(salt + pw.encode()).hexdigest(), "encoding": "hex"},
                         salt={"value": b64(salt), "encoding": "base64"}))

pw = "Sha512-12"
add("sha512", pw, custom("sha512", hash={"value": hashlib.sha512(pw.encode()).hexdigest(), "encoding": "hex"}))

pw = "Pbkdf2-sha256-13"
dk = hashlib.pbkdf2_hmac("sha256", pw.encode(), salt, 10000, 32)
add("pbkdf2", pw, custom("pbkdf2", hash={
    "value": f"$pbkdf2-sha256$i=10000,l=32${b64_nopad(salt)}${b64_nopad(dk)}", "encoding": "utf8"}))

pw = "Pbkdf2-md5-14"
dk = hashlib.pbkdf2_hmac("md5", pw.encode(), salt, 5000, 16)
add("pbkdf2-md5", pw, custom("pbkdf2", hash={"value": f"$pbkdf2-md5$i=5000,l=16${b64_nopad(salt)}${b64_nopad(dk)}"}))

pw = "Scrypt-15"
dk = hashlib.scrypt(pw.encode(), salt=salt, n=16384, r=8, p=1, dklen=32)
add("scrypt", pw, custom("scrypt", hash={"value": dk.hex(), "encoding": "hex"},
                         salt={"value": b64(salt), "encoding": "base64"}, keylen=32, cost=16384))

print(json.dumps({"users": users, "passwords": passwords}))
