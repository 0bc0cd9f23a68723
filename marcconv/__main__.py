"""python -m marcconv"""

from marcconv.cli import main

main()
