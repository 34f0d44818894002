from .live import main

main()
