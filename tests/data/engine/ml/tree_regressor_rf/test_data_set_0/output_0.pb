(J íÌFÂÔÝÁHÒ]ÃÊšÃ.€jÂeÇõB“UbB¬ÂíÌFÂz«Bz«B°Š[Áwÿ‘A8‚Àè›XÃ¾eCQÜC‹ñpAúúÆÁz«B£§ÂYjB½^?Ø
C“UbBVB­þÔÁÚCÛBºJCÅmÂW4‚Á#þ2ÁZôBz`ÃxØHBk2CZ_¸ÂiRØÂ|¯·Â»3ÍÁ